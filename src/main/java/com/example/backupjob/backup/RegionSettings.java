package com.example.backupjob.backup;

import com.example.backupjob.deadline.InvocationDeadline;
import com.example.backupjob.error.ErrorSource;
import com.example.backupjob.error.ServiceUnavailableException;
import com.example.backupjob.error.StartBackupJobException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.backup.BackupClient;

/**
 * The Region's AWS Backup opt-in settings (DescribeRegionSettings): a resource type opted out is one AWS Backup does
 * not back up in this Region, on demand included, so a job for it could only fail.
 */
public final class RegionSettings {

    private final BackupClient backup;
    private final InvocationDeadline deadline;

    public RegionSettings(BackupClient backup, InvocationDeadline deadline) {
        this.backup = backup;
        this.deadline = deadline;
    }

    /**
     * The resource types whose opt-in preference is false, named as the service names them ("DynamoDB", "Storage
     * Gateway"). A type the answer does not list is taken as opted in: AWS Backup will say so if it is not.
     *
     * @throws StartBackupJobException under AWS Backup's own error code when the settings cannot be read
     */
    public Set<String> optedOutTypes() {
        try {
            Map<String, Boolean> preferences = backup.describeRegionSettings(describe -> describe
                    .overrideConfiguration(deadline.callOverride())).resourceTypeOptInPreference();
            Set<String> optedOut = new TreeSet<>();
            preferences.forEach((type, optedIn) -> {
                if (Boolean.FALSE.equals(optedIn)) {
                    optedOut.add(type);
                }
            });
            return optedOut;
        } catch (AwsServiceException e) {
            throw BackupJobs.translate(e);
        } catch (SdkException e) {
            throw new ServiceUnavailableException(ErrorSource.AWS_BACKUP, "could not be reached for the Region's "
                    + "opt-in settings: " + e.getMessage(), e);
        }
    }
}
