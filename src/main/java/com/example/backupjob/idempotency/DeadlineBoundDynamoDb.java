package com.example.backupjob.idempotency;

import com.example.backupjob.deadline.InvocationDeadline;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * The DynamoDB client handed to Powertools, bounding each of the four calls its store makes by the invocation's
 * deadline; Powertools builds the requests itself, so this is the one place to set their timeout.
 */
final class DeadlineBoundDynamoDb implements DynamoDbClient {

    private final DynamoDbClient dynamoDb;
    private final InvocationDeadline deadline;

    DeadlineBoundDynamoDb(DynamoDbClient dynamoDb, InvocationDeadline deadline) {
        this.dynamoDb = dynamoDb;
        this.deadline = deadline;
    }

    @Override
    public GetItemResponse getItem(GetItemRequest request) {
        return dynamoDb.getItem(request.toBuilder().overrideConfiguration(deadline.callOverride()).build());
    }

    @Override
    public PutItemResponse putItem(PutItemRequest request) {
        return dynamoDb.putItem(request.toBuilder().overrideConfiguration(deadline.callOverride()).build());
    }

    @Override
    public UpdateItemResponse updateItem(UpdateItemRequest request) {
        return dynamoDb.updateItem(request.toBuilder().overrideConfiguration(deadline.callOverride()).build());
    }

    @Override
    public DeleteItemResponse deleteItem(DeleteItemRequest request) {
        return dynamoDb.deleteItem(request.toBuilder().overrideConfiguration(deadline.callOverride()).build());
    }

    @Override
    public String serviceName() {
        return dynamoDb.serviceName();
    }

    @Override
    public void close() {
        dynamoDb.close();
    }
}
