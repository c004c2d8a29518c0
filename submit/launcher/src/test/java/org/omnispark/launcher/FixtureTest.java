package org.omnispark.launcher;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A test of the launcher's plans: a fresh {@link Fixture} (fake Spark home, app jar, classpath) in a temporary folder. */
abstract class FixtureTest {

    @TempDir
    Path tmp;
    Fixture f;

    @BeforeEach
    void machine() {
        f = new Fixture(tmp);
    }
}
