package com.example.backupjob.deadline;

import com.amazonaws.services.lambda.runtime.Context;
import java.time.Duration;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;

/**
 * When the current invocation must have answered: every AWS call is given only the time left before it, so that
 * the function reports an error instead of being killed by the Lambda timeout.
 */
public final class InvocationDeadline {

    // Left after any AWS call for writing the response.
    private static final Duration RESERVE = Duration.ofMillis(500);
    // Left after a call that starts a job for the idempotency store's write that records or releases it: without
    // it, a Backup call retried to the deadline would leave the in-progress record behind.
    private static final Duration STORE_WRITE = Duration.ofSeconds(1);
    private static final Duration SHORTEST_CALL = Duration.ofMillis(50);

    private final Duration longestCall;

    // Lambda runs one invocation at a time per execution environment; the records of a batch share its deadline.
    private volatile long deadlineNanos = Long.MAX_VALUE;

    /** @param longestCall the timeout of a call, retries included, when time is not short */
    public InvocationDeadline(Duration longestCall) {
        this.longestCall = longestCall;
    }

    public void startInvocation(Context context) {
        deadlineNanos = System.nanoTime() + Duration.ofMillis(context.getRemainingTimeInMillis()).toNanos();
    }

    /** The override to give an AWS call made now, so that it ends in time, retries included. */
    public AwsRequestOverrideConfiguration callOverride() {
        return AwsRequestOverrideConfiguration.builder().apiCallTimeout(callTimeout(RESERVE)).build();
    }

    /** The override for a call whose outcome the idempotency store must still write, so that it has time to. */
    public AwsRequestOverrideConfiguration callOverrideBeforeStoreWrite() {
        return AwsRequestOverrideConfiguration.builder().apiCallTimeout(callTimeout(RESERVE.plus(STORE_WRITE)))
                .build();
    }

    /** The time left in the current invocation; outside one (SnapStart priming), the longest call. */
    public Duration timeLeft() {
        if (deadlineNanos == Long.MAX_VALUE) {
            return longestCall;
        }
        return Duration.ofNanos(deadlineNanos - System.nanoTime());
    }

    /**
     * The time left less the reserve, at most the longest call, and never so short that the call cannot be attempted
     * (it then fails fast with a retryable timeout).
     */
    private Duration callTimeout(Duration reserve) {
        Duration left = timeLeft().minus(reserve);
        if (left.compareTo(SHORTEST_CALL) < 0) {
            return SHORTEST_CALL;
        }
        return left.compareTo(longestCall) < 0 ? left : longestCall;
    }
}
