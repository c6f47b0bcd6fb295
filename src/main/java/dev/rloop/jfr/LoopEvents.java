package dev.rloop.jfr;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whether any JFR recording wants rloop's events, and the loops to tell when that changes.
 *
 * <p>Python asks nothing per iteration: a loop only counts its iterations, and learns of a
 * recording when {@link LoopSampler} next hears from it (every 65,536 iterations, or at once
 * if the loop is waiting: a recording's start or stop wakes every live loop). Only while a
 * recording takes rloop's events does the loop time its callbacks and note its timers' lateness.
 *
 * <p>Start-up pays only for a recorder listener (about 2 ms): registering the event classes
 * and asking whether they are enabled initialise JFR's metadata (about 250 ms here), so that
 * waits for the first recording. Without the {@code jdk.jfr} module nothing of JFR is loaded
 * and loops never sample.
 */
final class LoopEvents {
    private static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.jfr").isPresent();

    /** Live loops, weakly: a loop nobody closed must not be kept alive by JFR. */
    private static final Map<LoopSampler, Boolean> LOOPS = Collections.synchronizedMap(new WeakHashMap<>());
    private static final AtomicInteger IDS = new AtomicInteger();
    private static volatile boolean observing;
    private static boolean listening;

    private LoopEvents() {}

    static int register(LoopSampler sampler) {
        if (AVAILABLE) {
            LOOPS.put(sampler, Boolean.TRUE);
            listen();
        }
        return IDS.incrementAndGet();
    }

    static void unregister(LoopSampler sampler) {
        LOOPS.remove(sampler);
    }

    /** True while some recording has one of rloop's events enabled. */
    static boolean observing() {
        return observing;
    }

    private static synchronized void listen() {
        if (!listening) {
            listening = true;
            Recordings.listen();
        }
    }

    /** A recording started or stopped (or ran before the first loop): tell every loop. */
    static void refresh(boolean enabled) {
        observing = enabled;
        LoopSampler[] loops;
        synchronized (LOOPS) {
            loops = LOOPS.keySet().toArray(new LoopSampler[0]);
        }
        for (LoopSampler loop : loops) {
            loop.recordingsChanged();
        }
    }

    /** The code that names JFR's classes, loaded only where the module exists. */
    private static final class Recordings {
        private static boolean registered;

        static void listen() {
            jdk.jfr.FlightRecorder.addListener(new jdk.jfr.FlightRecorderListener() {
                @Override
                public void recordingStateChanged(jdk.jfr.Recording recording) {
                    refresh(enabled());
                }
            });
            if (jdk.jfr.FlightRecorder.isInitialized()) {
                refresh(enabled()); // -XX:StartFlightRecording ran one before the first loop
            }
        }

        private static synchronized boolean enabled() {
            if (!registered) {
                // registered ahead of the first commit, so a recording lists them and applies its
                // settings for them by name (dev.rloop.SlowCallback#enabled=false)
                registered = true;
                jdk.jfr.FlightRecorder.register(SlowCallbackEvent.class);
                jdk.jfr.FlightRecorder.register(LoopLagEvent.class);
                jdk.jfr.FlightRecorder.register(LoopIterationEvent.class);
            }
            return new SlowCallbackEvent().isEnabled() || new LoopLagEvent().isEnabled()
                    || new LoopIterationEvent().isEnabled();
        }
    }
}
