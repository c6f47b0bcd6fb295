package dev.rloop.process;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.rloop.LoopCore;

/**
 * The pipes a program connects to its stdout: each one's output is written, the program's end
 * waits for what is queued, and the pipes whose pump has ended do not pile up.
 */
class StandardStreamsTest {
    private LoopCore core;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private StandardStreams streams;

    @BeforeEach
    void open() {
        core = new LoopCore();
        streams = StandardStreams.of(null, out, null);
    }

    @AfterEach
    void close() {
        core.close();
    }

    private static void write(WritePipe pipe, String text) {
        byte[] bytes = text.getBytes(US_ASCII);
        pipe.write(bytes, bytes.length);
    }

    private static void awaitEnded(WritePipe pipe) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!pipe.ended()) {
            assertTrue(System.nanoTime() < deadline, "the pump of a closed pipe did not end in 10 s");
            Thread.sleep(1);
        }
    }

    @Test
    void endedPipesAreDroppedAsNewOnesCome() throws InterruptedException {
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            WritePipe pipe = streams.outputPipe(core, i + 1, 1);
            String line = "line " + i + "\n";
            write(pipe, line);
            expected.append(line);
            pipe.close();
            assertTrue(streams.awaitOutput(10_000), "the closed pipe's output was not written");
            awaitEnded(pipe);
            // the pipes before this one have ended and were dropped when it was made
            assertEquals(1, streams.outputPipeCount());
        }
        assertEquals(expected.toString(), out.toString(US_ASCII));
    }

    @Test
    void openPipesAreKept() throws InterruptedException {
        WritePipe first = streams.outputPipe(core, 1, 1);
        WritePipe second = streams.outputPipe(core, 2, 1);
        assertEquals(2, streams.outputPipeCount());
        write(first, "still open\n");
        assertTrue(streams.awaitOutput(10_000));
        first.close();
        second.close();
        awaitEnded(first);
        awaitEnded(second);
        streams.outputPipe(core, 3, 1).close();
        assertEquals(1, streams.outputPipeCount());
        assertEquals("still open\n", out.toString(US_ASCII));
    }
}
