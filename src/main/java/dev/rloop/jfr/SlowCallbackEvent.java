package dev.rloop.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** A callback that ran at least the loop's {@code slow_callback_duration}, as debug mode warns of. */
@Name("dev.rloop.SlowCallback")
@Label("Slow Callback")
@Category({"rloop", "Event Loop"})
@Description("An asyncio callback or task step that took at least the loop's slow_callback_duration")
@StackTrace(false) // the Java stack of the loop thread says nothing about the Python callback
final class SlowCallbackEvent extends Event {
    @Label("Loop")
    @Description("The loop's number in this JVM")
    int loop;

    @Label("Callback")
    @Description("The handle as asyncio's debug mode prints it: the callback, or the task and its coroutine")
    String callback;

    @Label("Took")
    @Timespan(Timespan.NANOSECONDS)
    long took;

    @Label("Threshold")
    @Description("slow_callback_duration when it ran")
    @Timespan(Timespan.NANOSECONDS)
    long threshold;
}
