package org.omnispark.expertparallel;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * No loops between any two of OmniSpark's packages, across all four modules (core, data-pipeline, trainer,
 * expert-parallel: this module's tests see them all), and the expert-parallel module's own layers: the transport
 * below the process groups and dispatcher, the Spark launcher on top. The trainer's layers are in the trainer's
 * PackageLayersTest.
 */
class ModuleCyclesTest {
    private static JavaClasses all() {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar")) // test fixtures of other modules
                .importPackages("org.omnispark");
    }

    @Test
    void noLoopsBetweenPackagesOfAnyModule() {
        JavaClasses classes = all();
        for (String p : new String[] {"org.omnispark.cli", "org.omnispark.io", "org.omnispark.data.job",
            "org.omnispark.trainer.moe", "org.omnispark.expertparallel.transport"}) {
            assertTrue(classes.containPackage(p), "the check sees " + p);
        }
        slices().matching("org.omnispark.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void expertParallelLayers() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("transport").definedBy("org.omnispark.expertparallel.transport..")
                .layer("groups and dispatcher").definedBy("org.omnispark.expertparallel")
                .layer("spark launcher").definedBy("org.omnispark.expertparallel.spark..")
                .whereLayer("spark launcher").mayNotBeAccessedByAnyLayer()
                .whereLayer("groups and dispatcher").mayOnlyBeAccessedByLayers("spark launcher")
                .whereLayer("transport").mayOnlyBeAccessedByLayers("groups and dispatcher", "spark launcher")
                .check(all());
    }
}
