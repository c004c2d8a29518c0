package org.omnispark.trainer;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The trainer's packages form layers; a package imports only packages of lower layers, so there is no loop. The
 * intended order, lowest first, is recorded here (a new package must be placed in it):
 *
 * <pre>
 *   nn        layer convention, basic layers, the autograd tape (StagedBackward)
 *   metrics   error rates, trn files
 *   ctc       CTC loss and its TorchScript kernel
 *   moe       routers, token dispatchers, experts, the MoE feed-forward block
 *   config    model and training configs (they name routers)
 *   infra     training infrastructure: optimizers, schedules, checkpoints, metrics writers
 *   parallel  process groups, expert placement, gradient sync, per-rank checkpoints
 *   encoder   Conformer / Transformer encoders
 *   decoder   attention decoders
 *   search    CTC greedy / prefix beam search, attention rescoring
 *   model     the U2++ model and its folder
 *   analysis  routing statistics and plots
 *   loop      the one training loop
 *   eval      evaluation
 *   export    safetensors export
 *   cli       the commands
 * </pre>
 */
class PackageLayersTest {
    static final List<String> LAYERS = List.of("nn", "metrics", "ctc", "moe", "config", "infra", "parallel",
            "encoder", "decoder", "search", "model", "analysis", "loop", "eval", "export", "cli");
    private static final String PREFIX = "org.omnispark.trainer.";

    private static JavaClasses trainer() {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.omnispark.trainer");
    }

    /** The layer of a trainer package in {@code layers}, e.g. 1 for org.omnispark.trainer.metrics; -1 outside. */
    static int layer(List<String> layers, String packageName) {
        if (!packageName.startsWith(PREFIX)) {
            return -1;
        }
        String top = packageName.substring(PREFIX.length()).split("\\.")[0];
        int index = layers.indexOf(top);
        if (index < 0) {
            throw new AssertionError("package " + packageName + " has no place in PackageLayersTest.LAYERS; add it");
        }
        return index;
    }

    /** A dependency may go to the same top-level package or to a lower layer only. */
    static ArchCondition<JavaClass> importOnlyDownward(List<String> layers) {
        return new ArchCondition<>("import only packages of lower layers") {
            @Override
            public void check(JavaClass origin, ConditionEvents events) {
                int from = layer(layers, origin.getPackageName());
                for (Dependency d : origin.getDirectDependenciesFromSelf()) {
                    int to = layer(layers, d.getTargetClass().getPackageName());
                    if (to > from) {
                        events.add(SimpleConditionEvent.violated(d, origin.getName() + " (layer " + layers.get(from)
                                + ") depends on " + d.getTargetClass().getName() + " (layer " + layers.get(to)
                                + ", above it): " + d.getDescription()));
                    }
                }
            }
        };
    }

    private static ArchRule layering(List<String> layers) {
        return classes().that().resideInAPackage("org.omnispark.trainer..")
                .and().resideOutsideOfPackage("org.omnispark.trainer") // this test's own package
                .should(importOnlyDownward(layers));
    }

    @Test
    void everyPackageImportsOnlyLowerLayers() {
        layering(LAYERS).check(trainer());
    }

    @Test
    void theLayeringCheckCanFail() {
        List<String> upsideDown = new java.util.ArrayList<>(LAYERS);
        java.util.Collections.reverse(upsideDown);
        AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> layering(upsideDown).check(trainer()));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("(layer nn)")
                || e.getMessage().contains("above it"), e.getMessage());
    }

    @Test
    void noPackageLoops() {
        slices().matching("org.omnispark.trainer.(*)..").should().beFreeOfCycles().check(trainer());
    }
}
