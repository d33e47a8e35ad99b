package com.example.backupjob.selection;

import com.example.backupjob.deadline.InvocationDeadline;
import com.example.backupjob.error.ErrorSource;
import com.example.backupjob.error.ServiceUnavailableException;
import com.example.backupjob.error.StartBackupJobException;
import com.fasterxml.jackson.databind.ObjectMapper;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Hands a run that needs more time than one invocation on to the next: a message {@code {"ContinueRun": key}} on the
 * continuation queue, whose event source invokes this function again, which resumes from the run's record. A queue
 * rather than an asynchronous self-invoke: its retries, its dead-letter queue and its alarm come with it, and the
 * function's role needs no permission to invoke itself.
 */
public final class RunContinuations {

    /** The field of a continuation message; a request with it is a continuation, not a selection. */
    public static final String CONTINUE_RUN = "ContinueRun";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SqsClient sqs;
    private final String queueUrl;
    private final InvocationDeadline deadline;

    public RunContinuations(SqsClient sqs, String queueUrl, InvocationDeadline deadline) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.deadline = deadline;
    }

    /**
     * @throws StartBackupJobException when the message could not be sent; the invocation then fails, and its own
     *     trigger retries it, from the position the run saved
     */
    void handOn(String selectionKey) {
        String body = JSON.createObjectNode().put(CONTINUE_RUN, selectionKey).toString();
        try {
            sqs.sendMessage(send -> send.queueUrl(queueUrl).messageBody(body)
                    .overrideConfiguration(deadline.callOverride()));
        } catch (SdkException e) {
            throw new ServiceUnavailableException(ErrorSource.SQS, "could not hand the run on to the continuation "
                    + "queue: " + e.getMessage(), e);
        }
    }
}
