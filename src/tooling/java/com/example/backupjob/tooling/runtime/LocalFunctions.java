package com.example.backupjob.tooling.runtime;

import com.example.backupjob.tooling.support.BackupStandIn;
import com.example.backupjob.tooling.support.DynaliteServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The project's functions as the tests run them: template.yaml and env.json as sam reads them, on local stand-ins. */
public final class LocalFunctions {

    private LocalFunctions() {
    }

    /** The function as {@code sam local invoke --env-vars env.json} sees it, with some variables replaced. */
    public static SamFunction function(String logicalId, Map<String, String> environmentOverrides) {
        Map<String, String> environment = new HashMap<>(SamTemplate.environmentFile(Path.of("env.json"), logicalId));
        environment.putAll(environmentOverrides);
        return SamTemplate.read(Path.of("template.yaml")).function(logicalId, Map.of(), environment);
    }

    /** Starts the function's JVM, the SDK's endpoint overrides pointing at the stand-ins, its log in target/lambda. */
    public static LocalLambda start(SamFunction function, BackupStandIn backup, DynaliteServer dynamoDb,
            String logFile) {
        return LocalLambda.start(function, FunctionClasspath.fromBuild(Path.of("")), Map.of(
                        "AWS_ENDPOINT_URL_BACKUP", backup.endpoint().toString(),
                        "AWS_ENDPOINT_URL_DYNAMODB", dynamoDb.endpoint().toString()),
                Path.of("target", "lambda", logFile));
    }
}
