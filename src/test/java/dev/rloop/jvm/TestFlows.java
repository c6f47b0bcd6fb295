package dev.rloop.jvm;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Java publishers and subscribers for test_java_interop.py: each runs on Java threads of its
 * own (which must not run Python), as a Java library's would.
 */
public final class TestFlows {
    private TestFlows() {}

    /**
     * A {@link SubmissionPublisher} that a Java thread fills with 0..n-1 once a subscriber
     * arrives, then closes; {@code submit} blocks while the subscriber's buffer is full, so the
     * producer goes at the consumer's pace.
     */
    public static SubmissionPublisher<Integer> counting(int n) {
        SubmissionPublisher<Integer> publisher = new SubmissionPublisher<>();
        Thread.ofPlatform().daemon().name("test-producer").start(() -> {
            try {
                while (publisher.getNumberOfSubscribers() == 0) {
                    Thread.sleep(1);
                }
                for (int i = 0; i < n; i++) {
                    publisher.submit(i);
                }
                publisher.close();
            } catch (InterruptedException e) {
                publisher.closeExceptionally(e);
            }
        });
        return publisher;
    }

    /**
     * A publisher of 0..n-1 that delivers only what was requested, from a thread of its own, and
     * records the most items ever requested and not yet delivered, and whether it was cancelled.
     * {@code failAfter} >= 0 ends it with {@code onError(IOException)} after that many items.
     */
    public static final class DemandRecorder implements Flow.Publisher<Integer> {
        private final int n;
        private final int failAfter;
        private final AtomicLong outstanding = new AtomicLong();
        private final AtomicLong maxOutstanding = new AtomicLong();
        private volatile boolean cancelled;
        private volatile int delivered;

        public DemandRecorder(int n, int failAfter) {
            this.n = n;
            this.failAfter = failAfter;
        }

        @Override
        public void subscribe(Flow.Subscriber<? super Integer> s) {
            LinkedBlockingQueue<Long> requests = new LinkedBlockingQueue<>();
            s.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long k) {
                    maxOutstanding.accumulateAndGet(outstanding.addAndGet(k), Math::max);
                    requests.add(k);
                }

                @Override
                public void cancel() {
                    cancelled = true;
                    requests.add(0L);
                }
            });
            Thread.ofPlatform().daemon().name("test-demand-recorder").start(() -> {
                try {
                    int i = 0;
                    while (i < n && !cancelled) {
                        if (i == failAfter) {
                            s.onError(new java.io.IOException("producer failed after " + i));
                            return;
                        }
                        long k = requests.take();
                        for (long j = 0; j < k && i < n && i != failAfter && !cancelled; j++) {
                            outstanding.decrementAndGet();
                            s.onNext(i++);
                            delivered = i;
                        }
                    }
                    if (!cancelled) {
                        s.onComplete();
                    }
                } catch (InterruptedException e) {
                    s.onError(e);
                }
            });
        }

        public long maxOutstanding() {
            return maxOutstanding.get();
        }

        public boolean cancelled() {
            return cancelled;
        }

        public int delivered() {
            return delivered;
        }
    }

    /**
     * A subscriber that requests {@code batch} items at a time from a thread of its own (never
     * from inside {@code onNext}), collects what it gets, and completes {@link #result()} on
     * {@code onComplete} (or exceptionally on {@code onError}). {@code cancelAfter} >= 0 cancels
     * after that many items and completes the result with what it has.
     */
    public static final class BatchSubscriber implements Flow.Subscriber<Object> {
        private final int batch;
        private final int cancelAfter;
        private final List<Object> items = new ArrayList<>();
        private final CompletableFuture<List<Object>> result = new CompletableFuture<>();
        private final LinkedBlockingQueue<Boolean> batchDone = new LinkedBlockingQueue<>();
        private volatile long overDelivered;
        private long pending;
        private volatile String onNextThread;

        public BatchSubscriber(int batch, int cancelAfter) {
            this.batch = batch;
            this.cancelAfter = cancelAfter;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            Thread.ofVirtual().name("test-batch-requester").start(() -> {
                try {
                    while (!result.isDone()) {
                        synchronized (this) {
                            pending += batch;
                        }
                        s.request(batch);
                        while (batchDone.poll(10, TimeUnit.MILLISECONDS) == null) {
                            if (result.isDone()) {
                                return;
                            }
                        }
                        if (cancelAfter >= 0 && size() >= cancelAfter) {
                            s.cancel();
                            result.complete(snapshot());
                            return;
                        }
                    }
                } catch (InterruptedException e) {
                    result.completeExceptionally(e);
                }
            });
        }

        @Override
        public void onNext(Object item) {
            onNextThread = Thread.currentThread().getName();
            boolean last;
            synchronized (this) {
                items.add(item);
                if (pending == 0) {
                    overDelivered++;
                }
                pending--;
                last = pending <= 0;
            }
            if (last) {
                batchDone.add(true);
            }
        }

        @Override
        public void onError(Throwable e) {
            result.completeExceptionally(e);
        }

        @Override
        public void onComplete() {
            result.complete(snapshot());
        }

        private synchronized int size() {
            return items.size();
        }

        private synchronized List<Object> snapshot() {
            return List.copyOf(items);
        }

        public CompletableFuture<List<Object>> result() {
            return result;
        }

        /** Items delivered beyond what was requested (should stay 0). */
        public long overDelivered() {
            return overDelivered;
        }

        public String onNextThread() {
            return onNextThread;
        }
    }
}
