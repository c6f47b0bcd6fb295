package dev.rloop.jvm;

import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;

import org.graalvm.polyglot.Value;

/**
 * What {@code rloop.java.run_blocking} can run on a virtual thread: Java code only, since Python
 * runs on platform threads. A Java {@link Callable}, {@link Supplier} or {@link Runnable} (no
 * arguments), or a {@link Function} (one argument), or a Java method as GraalPy hands it over
 * ({@link #ofMethod}).
 */
@FunctionalInterface
interface BlockingCall {
    Object call() throws Exception;

    /**
     * A Java method as GraalPy hands it over, with no Java object of its own: a static one
     * ("java.lang.Thread.sleep") is called by reflection, on the virtual thread alone; a bound one
     * (whose receiver polyglot does not reveal) is executed through polyglot, which enters the
     * context on the virtual thread (Truffle allows it; it costs more).
     */
    static BlockingCall ofMethod(Value method, Object[] args) {
        MethodCall staticCall = MethodCall.forStatic(method.toString(), args);
        if (staticCall != null) {
            return staticCall::invoke;
        }
        return () -> {
            Value v = method.execute(args);
            return v.isHostObject() ? v.asHostObject() : v;
        };
    }

    /**
     * A Java {@link Callable}, {@link Supplier} or {@link Runnable} with no arguments, or a
     * {@link Function} with one; null for anything else (Python raises TypeError).
     */
    static BlockingCall of(Object target, Object[] args) {
        int n = args == null ? 0 : args.length;
        if (n == 0) {
            if (target instanceof Callable<?> c) {
                return c::call;
            }
            if (target instanceof Supplier<?> s) {
                return s::get;
            }
            if (target instanceof Runnable r) {
                return () -> {
                    r.run();
                    return null;
                };
            }
        } else if (n == 1 && target instanceof Function<?, ?>) {
            @SuppressWarnings("unchecked")
            Function<Object, Object> f = (Function<Object, Object>) target;
            return () -> f.apply(args[0]);
        }
        return null;
    }
}
