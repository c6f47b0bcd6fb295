package dev.rloop.jvm;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * A Java method with its receiver and arguments, resolved by name as GraalPy resolves a call:
 * the public method of that name whose parameters take the arguments. How {@code rloop.java}
 * hands a Java method (a GraalPy bound host method has no Java object of its own) to a virtual
 * thread.
 */
public final class MethodCall {
    private final Object receiver;   // null for a static method
    private final Method method;
    private final Object[] args;

    private MethodCall(Object receiver, Method method, Object[] args) {
        this.receiver = receiver;
        this.method = method;
        this.args = args;
    }

    /**
     * {@code target.name(args)}: {@code target} is an object, or a {@link Class} for its static
     * methods. Refuses a name with no public method that takes {@code args}.
     */
    public static MethodCall of(Object target, String name, Object[] args) {
        boolean isStatic = target instanceof Class<?>;
        Class<?> type = isStatic ? (Class<?>) target : target.getClass();
        List<Method> candidates = new ArrayList<>();
        for (Method m : type.getMethods()) {
            if (m.getName().equals(name) && Modifier.isStatic(m.getModifiers()) == isStatic
                    && m.getParameterCount() == args.length && accepts(m.getParameterTypes(), args)) {
                candidates.add(m);
            }
        }
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("no public " + (isStatic ? "static " : "") + "method "
                    + type.getName() + "." + name + " takes " + args.length + " argument(s) of these types");
        }
        Method chosen = candidates.get(0);
        return new MethodCall(isStatic ? null : target, chosen, coerce(chosen.getParameterTypes(), args));
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
            return method.invoke(receiver, args);
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
