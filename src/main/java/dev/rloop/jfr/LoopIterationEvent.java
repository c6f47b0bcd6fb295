package dev.rloop.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** What one loop did over one sample period: iterations, callbacks run and waits. */
@Name("dev.rloop.LoopIteration")
@Label("Loop Iterations")
@Category({"rloop", "Event Loop"})
@Description("Iterations, callbacks run and waits of one loop over one sample period")
@StackTrace(false)
final class LoopIterationEvent extends Event {
    @Label("Loop")
    int loop;

    @Label("Iterations")
    long iterations;

    @Label("Callbacks")
    @Description("Ready handles run (callbacks and task steps)")
    long callbacks;

    @Label("Waits")
    @Description("Iterations that waited in Java for I/O, a timer or a wake-up")
    long waits;

    @Label("Period")
    @Timespan(Timespan.NANOSECONDS)
    long period;
}
