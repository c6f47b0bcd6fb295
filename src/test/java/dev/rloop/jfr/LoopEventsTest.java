package dev.rloop.jfr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.graalvm.polyglot.Context;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.rloop.RLoop;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * rloop's JFR events, recorded for real: a recording with JFR's default settings (what
 * {@code jcmd <pid> JFR.start} uses) while an rloop program runs a slow callback and timers,
 * then the events read back from the dumped file.
 */
class LoopEventsTest {
    private static final String PYTHON = """
            import asyncio, time
            import rloop

            def hog():
                time.sleep(0.15)  # blocks the loop: a slow callback

            async def busy(seconds):
                # timers for LoopLag, iterations for LoopIteration, one slow callback
                loop = asyncio.get_running_loop()
                loop.call_soon(hog)
                end = loop.time() + seconds
                while loop.time() < end:
                    await asyncio.sleep(0.005)
                return loop._observing

            def run(seconds):
                return rloop.run(busy(seconds))
            """;

    private static Context ctx;

    @BeforeAll
    static void startContext() {
        ctx = RLoop.newContext(List.of("jfr-test"));
        ctx.eval("python", PYTHON);
    }

    @AfterAll
    static void closeContext() {
        if (ctx != null) {
            ctx.close();
        }
    }

    private static boolean runLoop(double seconds) {
        return ctx.getBindings("python").getMember("run").execute(seconds).asBoolean();
    }

    @Test
    void recordingGetsSlowCallbackLagAndIterationEvents(@TempDir Path dir) throws Exception {
        List<RecordedEvent> events;
        try (Recording recording = new Recording(Configuration.getConfiguration("default"))) {
            recording.start();
            assertTrue(runLoop(2.5), "the loop saw the recording");
            recording.stop();
            Path file = dir.resolve("rloop.jfr");
            recording.dump(file);
            events = RecordingFile.readAllEvents(file);
        }
        List<RecordedEvent> slow = named(events, "dev.rloop.SlowCallback");
        assertEquals(1, slow.size(), "one slow callback: " + slow);
        RecordedEvent hog = slow.get(0);
        assertTrue(hog.getString("callback").contains("hog"), hog.getString("callback"));
        assertTrue(hog.getDuration("took").compareTo(Duration.ofMillis(140)) >= 0, hog.toString());
        assertEquals(Duration.ofMillis(100), hog.getDuration("threshold"));

        List<RecordedEvent> iterations = named(events, "dev.rloop.LoopIteration");
        assertFalse(iterations.isEmpty(), "LoopIteration events");
        long total = iterations.stream().mapToLong(e -> e.getLong("iterations")).sum();
        assertTrue(total >= 100, "iterations counted: " + total);
        assertTrue(iterations.stream().allMatch(e -> e.getLong("callbacks") > 0 && e.getLong("waits") > 0));

        List<RecordedEvent> lag = named(events, "dev.rloop.LoopLag");
        assertFalse(lag.isEmpty(), "LoopLag events");
        assertTrue(lag.stream().allMatch(e -> e.getLong("batches") > 0
                && e.getDuration("maxLateness").compareTo(e.getDuration("meanLateness")) >= 0));
    }

    @Test
    void withoutARecordingTheLoopDoesNotObserve() {
        assertFalse(runLoop(0.3), "no recording runs: callbacks are not timed");
    }

    @Test
    void aRecordingWithRloopEventsDisabledIsNotObserved(@TempDir Path dir) throws Exception {
        try (Recording recording = new Recording()) {
            recording.enable("jdk.GarbageCollection");
            for (String name : List.of("dev.rloop.SlowCallback", "dev.rloop.LoopLag", "dev.rloop.LoopIteration")) {
                recording.disable(name); // enabled by default, as JFR's custom events are
            }
            recording.start();
            assertFalse(runLoop(0.3));
            recording.stop();
            Path file = dir.resolve("other.jfr");
            recording.dump(file);
            assertTrue(Files.size(file) > 0);
            assertTrue(named(RecordingFile.readAllEvents(file), "dev.rloop.SlowCallback").isEmpty());
        }
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    }
}
