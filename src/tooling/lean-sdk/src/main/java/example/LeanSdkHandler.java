package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.backup.BackupClient;
import software.amazon.awssdk.services.backup.model.StartBackupJobResponse;

/** A function as a new user writes it: one BackupClient, built once, and one StartBackupJob call per event. */
public final class LeanSdkHandler implements RequestStreamHandler {

    private final BackupClient backup = BackupClient.builder()
            .httpClient(UrlConnectionHttpClient.create())
            .build();

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        input.readAllBytes();
        StartBackupJobResponse response = backup.startBackupJob(request -> request
                .backupVaultName(System.getenv("BACKUP_VAULT_NAME"))
                .resourceArn("arn:aws:dynamodb:eu-west-1:123456789012:table/orders")
                .iamRoleArn(System.getenv("BACKUP_ROLE_ARN"))
                .idempotencyToken(UUID.randomUUID().toString()));
        output.write(("{\"BackupJobId\":\"" + response.backupJobId() + "\"}").getBytes(StandardCharsets.UTF_8));
    }
}
