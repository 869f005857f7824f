import {
  CfnOutput,
  type CfnResource,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { acknowledgeGuardRule, GUARD_RULES, limitGrantsToAwsServices } from './compliance';
import type { PipelineConfig } from './config';
import {
  consoleUrl,
  grantNetworkInterfaces,
  MetadataPipeline,
  type PipelineNetwork,
  type WatchedBucket,
} from './metadata-pipeline';
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
    const strict = config.compliance === 'strict';
    const network = this.importNetwork(config);

    const watched: WatchedBucket[] = config.buckets.map((entry, index) => {
      const filter = {
        ...(entry.prefix ? { prefix: entry.prefix } : {}),
        ...(entry.suffix ? { suffix: entry.suffix } : {}),
      };
      if (entry.name !== undefined) {
        return { bucket: s3.Bucket.fromBucketName(this, `Existing${index}`, entry.name), ...filter };
      }
      const bucket = strict
        ? this.strictUploadsBucket(config.accessLogsBucketName ?? '')
        : this.uploadsBucketWithAccessLogs(removalPolicy);
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
      webhookRawDelivery: config.webhookRawDelivery,
      logLevel: config.logLevel,
      ...(config.workflowLogLevel ? { workflowLogLevel: sfn.LogLevel[config.workflowLogLevel] } : {}),
      removalPolicy,
      traceSdkCalls: config.traceSdkCalls,
      kmsKeyArns: config.kmsKeyArns,
      ...(strict ? { logRetention: logs.RetentionDays.ONE_YEAR, encryptLogs: true } : {}),
      ...(network ? { network } : {}),
    });
    if (config.alarmEmail !== undefined) {
      this.pipeline.alarmTopic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));
    }
    this.acknowledgeCdkHelpers();
    this.placeCdkHelpers();

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

  /** The VPC and subnets of vpcId / vpcSubnetIds (with their route tables), if configured. */
  private importNetwork(config: PipelineConfig): PipelineNetwork | undefined {
    if (config.vpcId === undefined || config.vpcSubnetIds === undefined) return undefined;
    const subnets = config.vpcSubnetIds.map((subnetId, index) => {
      const routeTableId = config.vpcRouteTableIds?.[index];
      return ec2.Subnet.fromSubnetAttributes(this, `Subnet${index}`, {
        subnetId,
        ...(routeTableId ? { routeTableId } : {}),
      });
    });
    const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: config.vpcId,
      // Placeholders: the functions and endpoints name their subnets explicitly.
      availabilityZones: subnets.map((_, index) => Fn.select(index, Fn.getAzs())),
    });
    return { vpc, subnets, createEndpoints: config.vpcEndpoints === 'create' };
  }

  /**
   * The default profile's uploads bucket: SSE-S3, unversioned, logging to an
   * access-log bucket of its own. The Control Tower rules it does not meet
   * are acknowledged with the reason (cdk/compliance.ts).
   */
  private uploadsBucketWithAccessLogs(removalPolicy: RemovalPolicy): s3.Bucket {
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
    const logTarget = "This bucket receives the uploads bucket's S3 server access logs.";
    acknowledgeGuardRule(
      accessLogs,
      GUARD_RULES.bucketKmsEncryption,
      `${logTarget} S3 delivers access logs only to a target encrypted with SSE-S3 (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html).`,
    );
    acknowledgeGuardRule(
      accessLogs,
      GUARD_RULES.bucketLogging,
      `${logTarget} Logging it to itself would loop.`,
    );
    acknowledgeGuardRule(
      accessLogs,
      GUARD_RULES.bucketVersioning,
      `${logTarget} Log objects are written once and expire after 90 days.`,
    );
    acknowledgeGuardRule(
      accessLogs,
      GUARD_RULES.bucketNotifications,
      `${logTarget} Nothing consumes its objects as they arrive.`,
    );
    acknowledgeGuardRule(
      accessLogs,
      GUARD_RULES.bucketObjectLock,
      `${logTarget} Its objects expire after 90 days; Object Lock would keep them, and cannot be turned off.`,
    );
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
    const strictKeeps = 'compliance: strict turns it on.';
    acknowledgeGuardRule(
      bucket,
      GUARD_RULES.bucketKmsEncryption,
      `SSE-S3 by default: readers need no KMS permission and no key is paid for. ${strictKeeps}`,
    );
    acknowledgeGuardRule(
      bucket,
      GUARD_RULES.bucketVersioning,
      `Unversioned by default: an overwrite replaces the object (no storage for old versions). ${strictKeeps}`,
    );
    acknowledgeGuardRule(
      bucket,
      GUARD_RULES.bucketNotifications,
      "Its ObjectCreated/ObjectRemoved notifications to the ingest queue are set by aws-cdk-lib's Custom::S3BucketNotifications resource, which this rule cannot see in the bucket's properties.",
    );
    acknowledgeGuardRule(
      bucket,
      GUARD_RULES.bucketLifecycle,
      `The uploads are the user's data: when they expire is the user's decision. ${strictKeeps}`,
    );
    acknowledgeGuardRule(
      bucket,
      GUARD_RULES.bucketObjectLock,
      `Object Lock cannot be turned off once on, and needs versioning. ${strictKeeps}`,
    );
    return bucket;
  }

  /**
   * The strict profile's uploads bucket, meeting every Control Tower rule on
   * buckets: SSE-KMS with a key of the stack (the readers get kms:Decrypt on
   * it automatically), versioned with Object Lock (no default retention:
   * nothing is locked until someone asks), lifecycle rules for old versions
   * and abandoned multipart uploads, access logs to an existing bucket, and
   * EventBridge notifications on in its own properties. Always retained:
   * deleting locked objects is a person's decision.
   */
  private strictUploadsBucket(accessLogsBucketName: string): s3.Bucket {
    const key = new kms.Key(this, 'UploadsKey', {
      description: 's3-metadata-pipeline uploads bucket',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    limitGrantsToAwsServices(key);
    const bucket = new s3.Bucket(this, 'Uploads', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      objectLockEnabled: true,
      lifecycleRules: [
        {
          noncurrentVersionExpiration: Duration.days(90),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      serverAccessLogsBucket: s3.Bucket.fromBucketName(this, 'AccessLogs', accessLogsBucketName),
      serverAccessLogsPrefix: 'uploads/',
      eventBridgeEnabled: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CT.S3.PR.4 reads the bucket's own NotificationConfiguration; aws-cdk-lib sets notifications
    // through a custom resource, which keeps EventBridge on (eventBridgeEnabled) when it writes the queue rules.
    (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };
    return bucket;
  }

  /**
   * aws-cdk-lib's helper functions (bucket notifications, auto delete) run
   * in the functions' subnets when the pipeline runs in a VPC; otherwise
   * Control Tower's Lambda-in-VPC rule is acknowledged on them.
   */
  private placeCdkHelpers(): void {
    const { network, securityGroup } = this.pipeline;
    const helpers = this.node
      .findAll()
      .filter((construct) =>
        /^(BucketNotificationsHandler|Custom::S3AutoDeleteObjectsCustomResourceProvider)/.test(
          construct.node.id,
        ),
      );
    for (const helper of helpers) {
      const handler = (helper.node.tryFindChild('Resource') ?? helper.node.tryFindChild('Handler')) as
        | CfnResource
        | undefined;
      if (handler === undefined) continue;
      if (network === undefined || securityGroup === undefined) {
        acknowledgeGuardRule(
          handler,
          GUARD_RULES.lambdaInVpc,
          'aws-cdk-lib helper function (S3 bucket notifications, auto delete) that runs only during deployments and calls only S3 APIs; compliance: strict runs it in the subnets named by vpcSubnetIds.',
        );
        continue;
      }
      handler.addPropertyOverride('VpcConfig', {
        SubnetIds: network.subnets.map((subnet) => subnet.subnetId),
        SecurityGroupIds: [securityGroup.securityGroupId],
      });
      const role = helper.node.tryFindChild('Role') as iam.Role | undefined;
      if (role?.addToPrincipalPolicy) grantNetworkInterfaces(role);
    }
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
