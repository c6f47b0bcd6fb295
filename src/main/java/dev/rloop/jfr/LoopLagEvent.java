package dev.rloop.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * How late the loop ran its due timers over one sample period: the time from a timer's due time
 * to the iteration that ran it, which grows when callbacks hog the loop or the wait oversleeps.
 */
@Name("dev.rloop.LoopLag")
@Label("Loop Lag")
@Category({"rloop", "Event Loop"})
@Description("Lateness of due timers over one sample period: from a timer's due time to the iteration that runs it")
@StackTrace(false)
final class LoopLagEvent extends Event {
    @Label("Loop")
    int loop;

    @Label("Timer Batches")
    @Description("Iterations that found timers due")
    long batches;

    @Label("Max Lateness")
    @Timespan(Timespan.NANOSECONDS)
    long maxLateness;

    @Label("Mean Lateness")
    @Timespan(Timespan.NANOSECONDS)
    long meanLateness;

    @Label("Period")
    @Timespan(Timespan.NANOSECONDS)
    long period;
}
