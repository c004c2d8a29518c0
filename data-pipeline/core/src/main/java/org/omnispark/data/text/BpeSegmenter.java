package org.omnispark.data.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * BPE-model segmentation as SentencePiece's bpe Model::Encode does it: start from single characters (or whole
 * user-defined pieces, which never merge), repeatedly merge the adjacent pair whose concatenation is a piece with
 * the highest score (ties: the leftmost pair), skip queue entries made stale by earlier merges, and finally split
 * UNUSED pieces back into the pieces they were merged from. A symbol that is not a piece becomes unknown.
 */
final class BpeSegmenter extends SpmSegmenter {

    private record Pair(int left, int right, float score, int size) {
    }

    BpeSegmenter(SentencePieceModel model) {
        super(model);
    }

    @Override
    protected List<Segment> segmentRaw(String s) {
        // Symbols as a linked list over char ranges [start[i], start[i] + len[i]); len 0 = merged away.
        List<int[]> init = new ArrayList<>();
        List<Boolean> frozen = new ArrayList<>();
        for (int pos = 0; pos < s.length(); ) {
            int ud = userDefinedPrefix(s, pos);
            int len = ud > 0 ? ud : Character.charCount(s.codePointAt(pos));
            init.add(new int[] {pos, len});
            frozen.add(ud > 0);
            pos += len;
        }
        int n = init.size();
        int[] start = new int[n];
        int[] len = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            start[i] = init.get(i)[0];
            len[i] = init.get(i)[1];
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        // Highest score first; equal scores: smallest left index first.
        PriorityQueue<Pair> agenda = new PriorityQueue<>((a, b) -> a.score() != b.score()
                ? Float.compare(b.score(), a.score()) : Integer.compare(a.left(), b.left()));
        Map<String, String[]> revMerge = new HashMap<>();
        for (int i = 1; i < n; i++) {
            maybeAdd(s, i - 1, i, start, len, frozen, agenda, revMerge);
        }
        while (!agenda.isEmpty()) {
            Pair top = agenda.poll();
            if (len[top.left()] == 0 || len[top.right()] == 0 || len[top.left()] + len[top.right()] != top.size()) {
                continue; // stale
            }
            len[top.left()] += len[top.right()];
            next[top.left()] = next[top.right()];
            if (next[top.right()] >= 0) {
                prev[next[top.right()]] = top.left();
            }
            len[top.right()] = 0;
            maybeAdd(s, prev[top.left()], top.left(), start, len, frozen, agenda, revMerge);
            maybeAdd(s, top.left(), next[top.left()], start, len, frozen, agenda, revMerge);
        }
        List<Segment> out = new ArrayList<>();
        for (int i = n == 0 ? -1 : 0; i != -1; i = next[i]) {
            resegment(s.substring(start[i], start[i] + len[i]), revMerge, out);
        }
        return out;
    }

    private void maybeAdd(String s, int left, int right, int[] start, int[] len, List<Boolean> frozen,
                          PriorityQueue<Pair> agenda, Map<String, String[]> revMerge) {
        if (left == -1 || right == -1 || frozen.get(left) || frozen.get(right)) {
            return;
        }
        String piece = s.substring(start[left], start[left] + len[left] + len[right]);
        Integer id = pieceIds.get(piece);
        if (id == null) {
            return;
        }
        SentencePieceModel.Piece p = model.pieces().get(id);
        agenda.add(new Pair(left, right, p.score(), piece.length()));
        if (p.type() == SentencePieceModel.PieceType.UNUSED) {
            revMerge.put(piece, new String[] {s.substring(start[left], start[left] + len[left]),
                    s.substring(start[right], start[right] + len[right])});
        }
    }

    private void resegment(String piece, Map<String, String[]> revMerge, List<Segment> out) {
        Integer id = pieceIds.get(piece);
        if (id == null || model.pieces().get(id).type() != SentencePieceModel.PieceType.UNUSED) {
            out.add(new Segment(piece, id == null ? unkId : id));
            return;
        }
        String[] parts = revMerge.get(piece);
        if (parts == null) {
            out.add(new Segment(piece, id));
            return;
        }
        resegment(parts[0], revMerge, out);
        resegment(parts[1], revMerge, out);
    }
}
