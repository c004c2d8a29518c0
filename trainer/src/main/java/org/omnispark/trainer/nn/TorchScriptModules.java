package org.omnispark.trainer.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Loads the small TorchScript modules this project ships as class-path resources: the way to reach libtorch kernels
 * that DJL does not expose (CTC loss, the fused Adam kernel, bf16 GEMMs). Each {@code .pt} is made by a Python script
 * beside it (Debian's torch 1.13; TorchScript keeps the source and libtorch 2.7.1 compiles it on load).
 */
public final class TorchScriptModules {

    private TorchScriptModules() {}

    /**
     * Loads a module for the lifetime of the JVM (callers keep it in a static holder; it is never closed).
     *
     * @param resource absolute class-path resource, e.g. {@code "/org/omnispark/trainer/ctc/ctc_loss.pt"}
     * @param script the repository path of the script that makes it, named in the error when it is missing
     * @return the module
     */
    public static PtSymbolBlock load(String resource, String script) {
        Engine.getEngine("PyTorch"); // JniUtils needs the engine loaded first
        try (InputStream in = TorchScriptModules.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Missing resource " + resource + "; run /usr/bin/python3 " + script
                        + " from the repository root and rebuild");
            }
            Path file = Files.createTempFile("omnispark-module", ".pt");
            try {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                PtNDManager manager = (PtNDManager) NDManager.newBaseManager("PyTorch");
                return JniUtils.loadModule(manager, file, true, new String[0], new String[0], false);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not load " + resource, e);
        }
    }
}
