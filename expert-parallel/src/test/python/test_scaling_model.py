#!/usr/bin/env python3
"""Checks of scaling_model.py (stdlib only): python3 -m unittest discover -s expert-parallel/src/test/python"""

import math
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scaling_model as m  # noqa: E402

OMNI = m.SHAPES["omni"][1]
U2PP = m.SHAPES["u2pp"][1]


def latency_collectives_peers(members, position):
    """A transcription of LatencyCollectives.peers (Java) on positions."""
    p = len(members)
    peers = set()
    distance = 1
    while distance < p:
        peers.add(members[(position + distance) % p])
        peers.add(members[(position - distance) % p])
        distance *= 2
    peers.discard(members[position])
    return sorted(peers)


class FanOutTest(unittest.TestCase):

    def test_replica_peers_match_the_java_rule_at_every_position(self):
        for d in [9, 12, 16, 33, 64, 100, 128]:
            for position in range(d):
                self.assertEqual(m.replica_peers(d), len(latency_collectives_peers(list(range(d)), position)), d)

    def test_direct_replica_groups_connect_everyone(self):
        for d in range(1, m.DIRECT_REPLICA_GROUP + 1):
            self.assertEqual(m.replica_peers(d), d - 1)

    def test_1024_ranks_of_8_experts(self):
        f = m.fan_out(1024, 8)
        self.assertEqual((f["P"], f["D"]), (8, 128))
        self.assertEqual(f["links"], 7 + 13)       # P - 1, and +-1 ... +-64 around a ring of 128 (64 counted once)
        self.assertEqual(f["threads"], 40)         # a sender and a receiver thread per link
        self.assertEqual(f["control_exchanges"], 1 + 7)   # EP group gather + Bruck over 128: ceil(log2 128)
        self.assertEqual(f["ring_steps"], 2 * 7 + 2 * 7)  # EP ring, then halving/doubling over 128 replicas

    def test_expert_parallel_size_must_divide(self):
        with self.assertRaises(ValueError):
            m.groups(12, 8, 8)


class StepTest(unittest.TestCase):

    def test_parts_sum_to_the_step(self):
        for path in ["here", "omnispark", "nccl"]:
            for n in [2, 8, 64, 1024]:
                for p in [None, 1]:
                    c = m.step(OMNI, n, path, "omni", p=p)
                    parts = [v for k, v in c.items() if k not in ("step", "efficiency", "dominates")]
                    self.assertTrue(all(v >= 0 for v in parts), (path, n, p, c))
                    self.assertAlmostEqual(sum(parts), c["step"])
                    self.assertLessEqual(c["efficiency"], 1.0)

    def test_data_parallel_has_no_all_to_all_and_no_imbalance(self):
        c = m.step(U2PP, 64, "nccl", "switch", p=1)
        self.assertEqual(c["all-to-all"], 0.0)
        self.assertEqual(c["imbalance"], 0.0)

    def test_a2a_scales_with_bytes_and_imbalance(self):
        flat = m.step(OMNI, 8, "nccl", "omni", {"imbalance": 1.0})
        skewed = m.step(OMNI, 8, "nccl", "omni", {"imbalance": 2.0})
        alpha = 4 * OMNI[3] * m.CONSTANTS["nccl_alpha"][0]
        self.assertAlmostEqual((skewed["all-to-all"] - alpha) / (flat["all-to-all"] - alpha), 2.0)
        # bf16 rows, 7/8 of them leave the rank, 4 exchanges per MoE layer
        expected = 4 * 24 * (0.1e-3 + 1 * 24000 * 512 * 2 * 7 / 8 / 153e9)
        self.assertAlmostEqual(flat["all-to-all"], expected)

    def test_only_omnispark_on_gpus_stages_through_the_host(self):
        self.assertGreater(m.step(OMNI, 64, "omnispark", "omni")["staging"], 0)
        self.assertEqual(m.step(OMNI, 64, "nccl", "omni")["staging"], 0)
        self.assertEqual(m.step(OMNI, 4, "here", "omni")["staging"], 0)

    def test_replica_all_reduce_latency_by_algorithm(self):
        def latency(n):
            c = m.step(OMNI, n, "omnispark", "omni", {"tcp": 1e30})   # bandwidth terms vanish
            return c["all-reduce"]
        buckets_rep = math.ceil(4 * OMNI[2] / m.BUCKET_BYTES)
        buckets_exp = math.ceil(4 * (OMNI[0] - OMNI[2]) / 8 / m.BUCKET_BYTES)
        alpha = m.CONSTANTS["ring_alpha"][0]
        # 64 ranks: 8 replicas, a direct group, the ring: 2 (d - 1) steps; 1024: 128 replicas, sparse and a power
        # of two, recursive halving and doubling: 2 log2 128 = 14 steps; 48: 6 replicas, the ring
        for n, replica_steps in [(48, 10), (64, 14), (1024, 14)]:
            expected = (buckets_rep * (14 + replica_steps) + buckets_exp * replica_steps) * alpha
            self.assertAlmostEqual(latency(n), expected, places=9)
        self.assertEqual(m.replica_reduce_steps(96 // 8 * 2), 2 * 23)  # 24 replicas: sparse, not a power of two

    def test_measured_ratio_interpolation(self):
        self.assertEqual(m.interpolate_ratio(1), 0.32)
        self.assertAlmostEqual(m.interpolate_ratio(4 << 20), 0.88)
        self.assertEqual(m.interpolate_ratio(1 << 30), 0.40)
        self.assertAlmostEqual(m.interpolate_ratio(2 << 20), (0.67 + 0.88) / 2)


class CommandLineTest(unittest.TestCase):

    def run_main(self, argv):
        lines = []
        m.main(argv, out=lines.append)
        return "\n".join(lines)

    def test_prints_every_section(self):
        text = self.run_main([])
        for heading in ["### Constants", "### Connections", "### This machine", "### OmniSpark as built",
                        "### Against NCCL", "### What moves"]:
            self.assertIn(heading, text)
        self.assertIn("| 1024 | 8 x 128 | 20 (40) | 1023 |", text)

    def test_the_old_command_line_still_works(self):
        text = self.run_main(["omni=438325128,85573512,35180424,24,512,1,8", "--section", "cluster"])
        self.assertIn("438M parameters, 86M active, 35M replicated", text)

    def test_overrides(self):
        slow = self.run_main(["--section", "compare"])
        fast = self.run_main(["--section", "compare", "--alpha-ms", "0.01", "--ring-alpha-ms", "0.01"])
        self.assertNotEqual(slow, fast)


if __name__ == "__main__":
    unittest.main()
