import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { PipelineConfig } from './config';
import { consoleUrl, MetadataPipeline, type WatchedBucket } from './metadata-pipeline';
import { acknowledgeManagedPolicy, acknowledgeWildcardResource } from './nag';

/** Properties of {@link MetadataPipelineStack}. */
export interface MetadataPipelineStackProps extends StackProps {
  /** The validated configuration (see cdk/config.ts). */
  readonly config: PipelineConfig;
}

/**
 * The deployable stack: the buckets the configuration names (a new one, and/or
 * existing ones), the pipeline construct, and the outputs an operator needs.
 */
export class MetadataPipelineStack extends Stack {
  readonly pipeline: MetadataPipeline;
  /** The bucket this stack created, if the configuration asked for one. */
  readonly uploadsBucket?: s3.Bucket;

  constructor(scope: Construct, id: string, props: MetadataPipelineStackProps) {
    super(scope, id, props);
    const { config } = props;
    const removalPolicy = config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    const watched: WatchedBucket[] = config.buckets.map((entry, index) => {
      const filter = {
        ...(entry.prefix ? { prefix: entry.prefix } : {}),
        ...(entry.suffix ? { suffix: entry.suffix } : {}),
      };
      if (entry.name !== undefined) {
        return { bucket: s3.Bucket.fromBucketName(this, `Existing${index}`, entry.name), ...filter };
      }
      // Always retained: S3 delivers access logs on a best-effort basis, hours late at times
      // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html), so logs can land
      // after an auto-delete emptied the bucket and `cdk destroy` would fail on a non-empty bucket.
      const accessLogs = new s3.Bucket(this, 'AccessLogs', {
        encryption: s3.BucketEncryption.S3_MANAGED,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        removalPolicy: RemovalPolicy.RETAIN,
        lifecycleRules: [{ expiration: Duration.days(90) }],
      });
      Validations.of(accessLogs).acknowledge({
        id: 'AwsSolutions-S1',
        reason: "This bucket receives the uploads bucket's access logs; logging it to itself would loop.",
      });
      const bucket = new s3.Bucket(this, 'Uploads', {
        encryption: s3.BucketEncryption.S3_MANAGED,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        serverAccessLogsBucket: accessLogs,
        serverAccessLogsPrefix: 'uploads/',
        removalPolicy,
        autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
      });
      Object.assign(this, { uploadsBucket: bucket });
      return { bucket, ...filter };
    });

    this.pipeline = new MetadataPipeline(this, 'Pipeline', {
      buckets: watched,
      tableName: config.tableName,
      workflowType: sfn.StateMachineType[config.workflowType],
      recordDeletes: config.deleteBehaviour === 'tombstone',
      notificationEmails: config.notificationEmails,
      webhookUrls: config.webhookUrls,
      logLevel: config.logLevel,
      ...(config.workflowLogLevel ? { workflowLogLevel: sfn.LogLevel[config.workflowLogLevel] } : {}),
      removalPolicy,
      traceSdkCalls: config.traceSdkCalls,
      kmsKeyArns: config.kmsKeyArns,
    });
    if (config.alarmEmail !== undefined) {
      this.pipeline.alarmTopic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));
    }
    this.acknowledgeCdkHelpers();

    if (this.uploadsBucket !== undefined) {
      new CfnOutput(this, 'UploadsBucketName', {
        value: this.uploadsBucket.bucketName,
        description: 'Upload here: aws s3 cp FILE s3://<this>/',
      });
    }
    new CfnOutput(this, 'TableName', {
      value: this.pipeline.table.tableName,
      description: 'The metadata table',
    });
    new CfnOutput(this, 'NotificationTopicArn', {
      value: this.pipeline.topic.topicArn,
      description: 'Subscribe more endpoints here',
    });
    new CfnOutput(this, 'StateMachineArn', { value: this.pipeline.stateMachine.stateMachineArn });
    new CfnOutput(this, 'StateMachineConsoleUrl', {
      value: consoleUrl(this.pipeline.stateMachine),
      description: 'Follow each object here',
    });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      value: this.pipeline.deadLetterQueue.queueUrl,
      description: 'Events that could not be started',
    });
    new CfnOutput(this, 'DeadLetterQueueArn', {
      value: this.pipeline.deadLetterQueue.queueArn,
      description:
        'After fixing the cause: aws sqs start-message-move-task --source-arn <this> (moves them back to the ingest queue)',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.pipeline.alarmTopic.topicArn });
  }

  /**
   * aws-cdk-lib adds singleton helper functions (bucket notifications, auto
   * delete) whose code and roles it owns; their findings are acknowledged here
   * with the reason, each by rule.
   */
  private acknowledgeCdkHelpers(): void {
    const helpers = this.node
      .findAll()
      .filter((construct) =>
        /^(BucketNotificationsHandler|Custom::S3AutoDeleteObjectsCustomResourceProvider)/.test(
          construct.node.id,
        ),
      );
    for (const helper of helpers) {
      acknowledgeManagedPolicy(
        helper,
        'arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
        'aws-cdk-lib helper function (S3 bucket notifications): its role, owned by aws-cdk-lib, writes its own logs with this policy.',
      );
      acknowledgeWildcardResource(
        helper,
        '*',
        'aws-cdk-lib helper function (S3 bucket notifications): s3:PutBucketNotification is granted on * by aws-cdk-lib, for imported buckets too.',
      );
    }
  }
}
