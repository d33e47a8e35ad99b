package com.example.backupjob.tracking;

import com.example.backupjob.deadline.InvocationDeadline;
import com.example.backupjob.error.AccessDeniedException;
import com.example.backupjob.error.ErrorSource;
import com.example.backupjob.error.ServiceUnavailableException;
import com.example.backupjob.error.StartBackupJobException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sns.SnsClient;

/** Where a run's summary goes: the alarm topic (AlarmTopicArn), or, when the stack has none, nowhere but the log. */
public interface SummaryTopic {

    /**
     * Sends the summary.
     *
     * @return the id of the message sent, or a note that none was
     * @throws StartBackupJobException when it could not be sent; a retry can help
     */
    String publish(RunSummary summary);

    /** No topic: the tracker's log line of the summary is all there is. */
    static SummaryTopic logOnly() {
        return summary -> "not sent: no AlarmTopicArn";
    }

    /** SNS Publish to the topic, in the time left in the invocation. */
    static SummaryTopic sns(SnsClient sns, String topicArn, InvocationDeadline deadline) {
        return summary -> {
            try {
                return sns.publish(publish -> publish.topicArn(topicArn)
                        .subject(summary.subject())
                        .message(summary.message())
                        .overrideConfiguration(deadline.callOverride())).messageId();
            } catch (AwsServiceException e) {
                String code = e.awsErrorDetails() == null ? "UnknownError" : e.awsErrorDetails().errorCode();
                if ("AuthorizationError".equals(code) || "KMSAccessDenied".equals(code)) {
                    throw new AccessDeniedException(ErrorSource.SNS, "may not publish the run's summary to the "
                            + "alarm topic (" + code + "): the topic's policy or its KMS key's policy", e);
                }
                throw new ServiceUnavailableException(ErrorSource.SNS, "could not publish the run's summary (" + code
                        + ", HTTP " + e.statusCode() + ")", e);
            } catch (SdkException e) {
                throw new ServiceUnavailableException(ErrorSource.SNS, "could not publish the run's summary: "
                        + e.getMessage(), e);
            }
        };
    }
}
