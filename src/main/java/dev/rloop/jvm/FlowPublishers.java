package dev.rloop.jvm;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.Flow;

/**
 * {@link Flow.Publisher}s from what Java libraries publish with: {@code java.util.concurrent.Flow}
 * itself, and Reactive Streams' {@code org.reactivestreams.Publisher} (Reactor, RxJava, Mutiny,
 * the MongoDB and R2DBC drivers) when that library is on the publisher's class path.
 *
 * <p>Reactive Streams is reached by reflection through the publisher's own class loader: rloop
 * does not depend on it, and an application may load it in a class loader rloop cannot see.
 */
final class FlowPublishers {
    private FlowPublishers() {}

    /** {@code publisher} as a {@link Flow.Publisher}, or null when it is not a publisher. */
    static Flow.Publisher<?> asFlow(Object publisher) {
        if (publisher instanceof Flow.Publisher<?> flow) {
            return flow;
        }
        Class<?> rsPublisher = publisher == null ? null : findInterface(publisher.getClass(), "org.reactivestreams.Publisher");
        if (rsPublisher == null) {
            return null;
        }
        try {
            ClassLoader loader = rsPublisher.getClassLoader();
            Class<?> rsSubscriber = Class.forName("org.reactivestreams.Subscriber", false, loader);
            Class<?> rsSubscription = Class.forName("org.reactivestreams.Subscription", false, loader);
            Method subscribe = rsPublisher.getMethod("subscribe", rsSubscriber);
            Method request = rsSubscription.getMethod("request", long.class);
            Method cancel = rsSubscription.getMethod("cancel");
            Flow.Publisher<Object> adapted = subscriber -> invoke(subscribe, publisher,
                    Proxy.newProxyInstance(loader, new Class<?>[] {rsSubscriber},
                            (proxy, m, args) -> forward(subscriber, m, args, request, cancel, proxy)));
            return adapted;
        } catch (ReflectiveOperationException e) {
            return null; // not the Reactive Streams API after all
        }
    }

    /** A Reactive Streams signal passed on to the Flow subscriber. */
    private static Object forward(Flow.Subscriber<? super Object> subscriber, Method m, Object[] args,
                                  Method request, Method cancel, Object proxy) {
        switch (m.getName()) {
            case "onSubscribe" -> {
                Object s = args[0];
                subscriber.onSubscribe(new Flow.Subscription() {
                    @Override
                    public void request(long n) {
                        invoke(request, s, n);
                    }

                    @Override
                    public void cancel() {
                        invoke(cancel, s);
                    }
                });
            }
            case "onNext" -> subscriber.onNext(args[0]);
            case "onError" -> subscriber.onError((Throwable) args[0]);
            case "onComplete" -> subscriber.onComplete();
            case "equals" -> {
                return proxy == args[0];
            }
            case "hashCode" -> {
                return System.identityHashCode(proxy);
            }
            case "toString" -> {
                return "rloop subscriber for " + subscriber;
            }
            default -> throw new UnsupportedOperationException(m.toString());
        }
        return null;
    }

    private static void invoke(Method m, Object target, Object... args) {
        try {
            m.invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Class<?> findInterface(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (i.getName().equals(name)) {
                    return i;
                }
                Class<?> inherited = findInterface(i, name);
                if (inherited != null) {
                    return inherited;
                }
            }
        }
        return null;
    }
}
