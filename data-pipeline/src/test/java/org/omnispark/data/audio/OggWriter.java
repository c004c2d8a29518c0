package org.omnispark.data.audio;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Test helper: re-paginates an Ogg file's packets into pages of at most {@code maxSegments} lacing values (RFC 3533),
 * so that packets span pages through lacing values of 255 (libopus's small packets never do in ffmpeg's files). The
 * first page holds the identification header alone; the last page carries the original last granule position and the
 * end-of-stream flag; the other pages on which a packet ends carry the running sample count.
 */
final class OggWriter {
    private OggWriter() {
    }

    static byte[] repaginate(byte[] ogg, int maxSegments) throws AudioFormatException {
        OggStream s = OggStream.read(ogg, "source");
        List<Integer> lacing = new ArrayList<>();
        List<Integer> packetOfSegment = new ArrayList<>();
        for (int i = 0; i < s.packets(); i++) {
            int n = s.length(i);
            do {
                lacing.add(Math.min(255, n));
                packetOfSegment.add(i);
                n -= 255;
            } while (n >= 0);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int seg = 0;
        int page = 0;
        int byteInPayload = 0;
        boolean continued = false;
        while (seg < lacing.size()) {
            int first = seg;
            int limit = page == 0 ? 1 : maxSegments;
            while (seg < lacing.size() && seg - first < limit) {
                seg++;
            }
            int body = 0;
            for (int i = first; i < seg; i++) {
                body += lacing.get(i);
            }
            boolean last = seg == lacing.size();
            boolean ends = lacing.get(seg - 1) < 255;
            long granule = last ? s.lastGranule() : ends ? 960L * page : -1;
            ByteBuffer b = ByteBuffer.allocate(27 + (seg - first) + body).order(ByteOrder.LITTLE_ENDIAN);
            b.put("OggS".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).put((byte) 0);
            b.put((byte) ((continued ? 1 : 0) | (page == 0 ? 2 : 0) | (last ? 4 : 0)));
            b.putLong(granule).putInt(0x0551A1).putInt(page).putInt(0).put((byte) (seg - first));
            for (int i = first; i < seg; i++) {
                b.put((byte) (int) lacing.get(i));
            }
            b.put(s.payload(), byteInPayload, body);
            byteInPayload += body;
            byte[] p = b.array();
            ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN).putInt(22, OggStream.crc(p, 0, p.length));
            out.write(p, 0, p.length);
            continued = !ends;
            page++;
        }
        return out.toByteArray();
    }
}
