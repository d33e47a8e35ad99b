package com.example.backupjob.tooling.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

class ElasticMqServerTest {

    @Test
    void messageReceivedTooOftenMovesToTheDeadLetterQueue() {
        try (ElasticMqServer server = ElasticMqServer.start()) {
            // given
            ElasticMqServer.RequestQueues queues = server.createRequestQueues("requests", Duration.ofSeconds(1), 1);
            server.client().sendMessage(send -> send.queueUrl(queues.url()).messageBody("{}"));

            // when
            Message first = server.client().receiveMessage(receive -> receive.queueUrl(queues.url())
                    .visibilityTimeout(0)).messages().getFirst();
            var second = server.client().receiveMessage(receive -> receive.queueUrl(queues.url())
                    .waitTimeSeconds(1)).messages();

            // then
            assertThat(first.body()).isEqualTo("{}");
            assertThat(second).isEmpty();
            assertThat(server.messageCount(queues.deadLetterUrl())).isEqualTo(1);
            assertThat(server.messageCount(queues.url())).isZero();
        }
    }
}
