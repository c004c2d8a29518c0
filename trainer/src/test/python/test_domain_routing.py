"""Unit tests of submit/domain_routing.py against hand-computed values (run by DomainRoutingScriptTest)."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "submit"))
import domain_routing  # noqa: E402


class MutualInformationTest(unittest.TestCase):
    def test_hand_computed_tables(self):
        self.assertAlmostEqual(domain_routing.mutual_information([[10, 0], [0, 10]]), 1.0, places=12)
        self.assertAlmostEqual(domain_routing.mutual_information([[5, 5], [5, 5]]), 0.0, places=12)
        # p = 3/8, 1/8, 1/8, 3/8 with uniform margins: 2 (3/8) log2(1.5) + 2 (1/8) log2(0.5)
        self.assertAlmostEqual(domain_routing.mutual_information([[3, 1], [1, 3]]), 0.188721875540867, places=12)
        self.assertEqual(domain_routing.mutual_information([[0, 0], [0, 0]]), 0.0)

    def test_chi_square_tail_at_the_tables_critical_values(self):
        # standard chi-square table: 3.841 (df 1), 36.415 (df 24), 6.635 (df 1) at p = 0.05, 0.05, 0.01
        self.assertAlmostEqual(domain_routing.chi_square_tail(3.841, 1), 0.05, delta=0.004)
        self.assertAlmostEqual(domain_routing.chi_square_tail(36.415, 24), 0.05, delta=0.001)
        self.assertAlmostEqual(domain_routing.chi_square_tail(6.635, 1), 0.01, delta=0.002)
        self.assertEqual(domain_routing.chi_square_tail(0, 3), 1.0)

    def test_independence_test_bias_and_empty_rows(self):
        expected, p = domain_routing.independence_test([[5, 5], [5, 5]])
        self.assertAlmostEqual(expected, 1 / (2 * 20 * 0.6931471805599453), places=12)  # df 1, N 20
        self.assertGreater(p, 0.5)
        # a set with no tokens and an expert never chosen do not count as degrees of freedom
        expected, p = domain_routing.independence_test([[10, 0, 0], [0, 10, 0], [0, 0, 0]])
        self.assertAlmostEqual(expected, 1 / (2 * 20 * 0.6931471805599453), places=12)
        self.assertLess(p, 1e-4)  # G = 2 * 20 * ln 2 * 1 bit = 27.7 on 1 df


class SectionTest(unittest.TestCase):
    def write(self, out, model, seed, set_name, top1):
        d = os.path.join(out, "exp", "%s_s%d" % (model, seed), "eval", set_name)
        os.makedirs(d)
        with open(os.path.join(d, "routing.json"), "w") as f:
            json.dump({"top1_counts": top1}, f)

    def test_per_layer_means_and_the_paired_difference(self):
        with tempfile.TemporaryDirectory() as out:
            # two sets, two layers; Switch: layer 0 fully domain-specific (1 bit), layer 1 blind (0 bits)
            for seed in (1, 2):
                self.write(out, "t_switch", seed, "a", [[10, 0], [5, 5]])
                self.write(out, "t_switch", seed, "b", [[0, 10], [5, 5]])
            # Omni: seed 1 as [[3,1],[1,3]] in both layers (0.18872 bits), seed 2 fully specific in both (1 bit)
            self.write(out, "t_omni", 1, "a", [[3, 1], [3, 1]])
            self.write(out, "t_omni", 1, "b", [[1, 3], [1, 3]])
            self.write(out, "t_omni", 2, "a", [[4, 0], [4, 0]])
            self.write(out, "t_omni", 2, "b", [[0, 4], [0, 4]])
            # a model with a missing set is left out
            self.write(out, "u_switch", 1, "a", [[1, 1], [1, 1]])
            lines, results = domain_routing.section(
                out, ["1", "2"], ["a", "b"], ["t_switch", "t_omni", "u_switch"],
                lambda d: {"mean": sum(d) / len(d), "ci95": [min(d), max(d)], "agree": len(d), "n": len(d)})
        self.assertNotIn("u_switch", results)
        self.assertEqual(results["t_switch"]["per_layer"], [1.0, 0.0])
        mi = 0.188721875540867
        self.assertAlmostEqual(results["t_omni"]["per_layer"][0], (mi + 1) / 2, places=12)
        self.assertAlmostEqual(results["t_omni"]["mean_per_seed"][0], mi, places=12)
        comparison = results["comparisons"][0]
        self.assertEqual((comparison["a"], comparison["b"]), ("t_omni", "t_switch"))
        # per seed: mean over layers, Omni - Switch: (mi - 0.5) and (1 - 0.5)
        self.assertAlmostEqual(comparison["t"]["mean"], ((mi - 0.5) + 0.5) / 2, places=12)
        self.assertTrue(any(line.startswith("| t_omni | t_switch | 2 |") for line in lines), lines)


if __name__ == "__main__":
    unittest.main()
