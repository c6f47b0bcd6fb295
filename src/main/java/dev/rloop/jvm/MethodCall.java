package dev.rloop.jvm;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * A static Java method and its arguments, resolved by name as GraalPy resolves a call: the public
 * static method of that name whose parameters take the arguments. How {@code rloop.java}
 * runs a static Java method (a GraalPy host function has no Java object of its own) on a virtual
 * thread by reflection, without entering the context there.
 */
final class MethodCall {
    private final Method method;
    private final Object[] args;

    private MethodCall(Method method, Object[] args) {
        this.method = method;
        this.args = args;
    }

    /** {@code type.name(args)}; refuses a name with no public static method that takes {@code args}. */
    private static MethodCall of(Class<?> type, String name, Object[] args) {
        List<Method> candidates = new ArrayList<>();
        for (Method m : type.getMethods()) {
            if (m.getName().equals(name) && Modifier.isStatic(m.getModifiers())
                    && m.getParameterCount() == args.length && accepts(m.getParameterTypes(), args)) {
                candidates.add(m);
            }
        }
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("no public static method " + type.getName() + "." + name
                    + " takes " + args.length + " argument(s) of these types");
        }
        Method chosen = candidates.get(0);
        return new MethodCall(chosen, coerce(chosen.getParameterTypes(), args));
    }

    /**
     * The static method {@code qualifiedName} ("java.lang.Thread.sleep", how GraalPy shows a Java
     * method) taking {@code args}, or null when there is none such (a bound method, a class this
     * JVM cannot load by that name).
     */
    static MethodCall forStatic(String qualifiedName, Object[] args) {
        int dot = qualifiedName.lastIndexOf('.');
        if (dot <= 0) {
            return null;
        }
        try {
            Class<?> type = Class.forName(qualifiedName.substring(0, dot), false,
                    Thread.currentThread().getContextClassLoader());
            return of(type, qualifiedName.substring(dot + 1), args);
        } catch (ClassNotFoundException | IllegalArgumentException | LinkageError | SecurityException e) {
            return null;
        }
    }

    Object invoke() throws Exception {
        try {
            return method.invoke(null, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    private static boolean accepts(Class<?>[] types, Object[] args) {
        for (int i = 0; i < types.length; i++) {
            if (!acceptsOne(types[i], args[i])) {
                return false;
            }
        }
        return true;
    }

    private static boolean acceptsOne(Class<?> type, Object arg) {
        if (arg == null) {
            return !type.isPrimitive();
        }
        if (type.isInstance(arg)) {
            return true;
        }
        if (arg instanceof Number) {
            return type == long.class || type == int.class || type == double.class || type == float.class
                    || type == short.class || type == byte.class || type == Long.class || type == Integer.class
                    || type == Double.class;
        }
        return type == boolean.class && arg instanceof Boolean || type == char.class && arg instanceof Character;
    }

    /** Python ints arrive as Integer or Long: widen or narrow them to the parameter's type. */
    private static Object[] coerce(Class<?>[] types, Object[] args) {
        Object[] out = args.clone();
        for (int i = 0; i < types.length; i++) {
            if (args[i] instanceof Number n) {
                Class<?> t = types[i];
                if (t == long.class || t == Long.class) {
                    out[i] = n.longValue();
                } else if (t == int.class || t == Integer.class) {
                    out[i] = n.intValue();
                } else if (t == double.class || t == Double.class) {
                    out[i] = n.doubleValue();
                } else if (t == float.class) {
                    out[i] = n.floatValue();
                } else if (t == short.class) {
                    out[i] = n.shortValue();
                } else if (t == byte.class) {
                    out[i] = n.byteValue();
                }
            }
        }
        return out;
    }
}
