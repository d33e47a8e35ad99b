package com.example.backupjob.deadline;

import com.amazonaws.services.lambda.runtime.Context;
import java.time.Duration;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;

/**
 * When the current invocation must have answered: every AWS call is given only the time left before it, so that
 * the function reports an error instead of being killed by the Lambda timeout.
 */
public final class InvocationDeadline {

    // Left for what follows the last AWS call: saving the idempotency record and writing the response.
    private static final Duration RESERVE = Duration.ofMillis(500);
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
        return AwsRequestOverrideConfiguration.builder().apiCallTimeout(callTimeout()).build();
    }

    /** The time left in the current invocation; outside one (SnapStart priming), the longest call. */
    public Duration timeLeft() {
        if (deadlineNanos == Long.MAX_VALUE) {
            return longestCall;
        }
        return Duration.ofNanos(deadlineNanos - System.nanoTime());
    }

    /**
     * The time left less a reserve, at most the longest call, and never so short that the call cannot be attempted
     * (it then fails fast with a retryable timeout).
     */
    private Duration callTimeout() {
        Duration left = timeLeft().minus(RESERVE);
        if (left.compareTo(SHORTEST_CALL) < 0) {
            return SHORTEST_CALL;
        }
        return left.compareTo(longestCall) < 0 ? left : longestCall;
    }
}
