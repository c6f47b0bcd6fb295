package dev.rloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.junit.jupiter.api.Test;

/**
 * Contexts on one shared {@link Engine} (how a JVM host keeps GraalPy's compiled code between
 * programs): {@link RLoop#contextBuilder(Engine, List, List)} must build them (a context on a
 * shared engine refuses engine options), each must run rloop, and they must not see each other.
 */
class SharedEngineTest {
    private static final String PROGRAM = """
            import asyncio, rloop
            async def main(n):
                await asyncio.sleep(0.01)
                return type(asyncio.get_running_loop()).__module__, n
            marker = "%s"
            rloop.run(main(%d))""";

    @Test
    void twoContextsOnOneEngineEachRunRloop() {
        try (Engine engine = Engine.newBuilder("python").option("engine.WarnInterpreterOnly", "false").build()) {
            for (int i = 1; i <= 2; i++) {
                try (Context ctx = RLoop.contextBuilder(engine, List.of("ctx" + i), List.of()).build()) {
                    RLoop.install(ctx);
                    var before = ctx.eval("python", "'marker' in globals()");
                    assertFalse(before.asBoolean(), "a global of the previous context leaked into context " + i);
                    var result = ctx.eval("python", PROGRAM.formatted("ctx" + i, i));
                    assertEquals("rloop.loop", result.getArrayElement(0).asString());
                    assertEquals(i, result.getArrayElement(1).asInt());
                    assertEquals("ctx" + i, ctx.eval("python", "import sys; sys.argv[0]").asString());
                }
            }
        }
    }
}
