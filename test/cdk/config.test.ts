import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ConfigError, parseConfig } from '../../cdk/config';
import { MetadataPipeline } from '../../cdk/metadata-pipeline';
import { CDK_JSON_CONTEXT, logicalId } from './synth';

describe('configuration', () => {
  it('defaults to a working pipeline from cdk.json alone', () => {
    expect(parseConfig(CDK_JSON_CONTEXT)).toEqual({
      buckets: [{}],
      notificationEmails: [],
      webhookUrls: [],
      webhookRawDelivery: false,
      kmsKeyArns: [],
      compliance: 'default',
      vpcEndpoints: 'create',
      workflowType: 'STANDARD',
      deleteBehaviour: 'tombstone',
      logLevel: 'INFO',
      removalPolicy: 'retain',
      traceSdkCalls: false,
    });
  });

  it('reads traceSdkCalls from the command line as a boolean, and refuses anything else', () => {
    expect(parseConfig({ traceSdkCalls: 'true' }).traceSdkCalls).toBe(true);
    expect(() => parseConfig({ traceSdkCalls: 'yes' })).toThrow(
      /traceSdkCalls: expected true or false \(received "yes"\)/,
    );
  });

  it('reads lists given on the command line as JSON or comma-separated', () => {
    const config = parseConfig({
      buckets: '[{"name":"incoming-data","prefix":"raw/"}]',
      notificationEmails: 'a@example.com, b@example.com',
    });
    expect(config.buckets).toEqual([{ name: 'incoming-data', prefix: 'raw/' }]);
    expect(config.notificationEmails).toEqual(['a@example.com', 'b@example.com']);
  });

  it('reads comma-separated bucket names as existing buckets', () => {
    expect(parseConfig({ buckets: 'one-bucket,two-bucket' }).buckets).toEqual([
      { name: 'one-bucket' },
      { name: 'two-bucket' },
    ]);
  });

  it('fails when a webhook is not https, naming the key and the value', () => {
    expect(() => parseConfig({ webhookUrls: ['http://hooks.example.com'] })).toThrow(
      /webhookUrls\[0\]: expected an https:\/\/ URL .*\(received "http:\/\/hooks.example.com"\)/,
    );
  });

  it('fails when an email is not an address', () => {
    expect(() => parseConfig({ notificationEmails: 'ops@example.com,not-an-email' })).toThrow(
      /notificationEmails\[1\]: expected an email address \(received "not-an-email"\)/,
    );
  });

  it('fails when the workflow type is unknown, listing the allowed ones', () => {
    expect(() => parseConfig({ workflowType: 'FAST' })).toThrow(
      /workflowType: .*"STANDARD"\|"EXPRESS" \(received "FAST"\)/,
    );
  });

  it('fails when a bucket name is not a valid S3 name', () => {
    expect(() => parseConfig({ buckets: [{ name: 'Bad_Bucket' }] })).toThrow(
      /buckets\[0\]\.name: expected an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens \(received "Bad_Bucket"\)/,
    );
  });

  it('fails when two new buckets are asked for', () => {
    expect(() => parseConfig({ buckets: [{}, { prefix: 'x/' }] })).toThrow(
      /buckets: expected at most one new bucket/,
    );
  });

  it('fails when a bucket is named twice', () => {
    expect(() => parseConfig({ buckets: 'same-name,same-name' })).toThrow(
      /buckets: expected each bucket name once/,
    );
  });

  it('fails when a bucket entry has an unknown field', () => {
    expect(() => parseConfig({ buckets: [{ name: 'ok-bucket', prefx: 'raw/' }] })).toThrow(
      /buckets\[0\]: Unrecognized key: "prefx"/,
    );
  });

  it('fails when a key is misspelled, suggesting the right one', () => {
    expect(() => parseConfig({ tablename: 'Inventory' })).toThrow(
      /tablename: unknown key \(received "Inventory"\); did you mean "tableName"\?/,
    );
  });

  it('lists every problem at once', () => {
    let error: unknown;
    try {
      parseConfig({ workflowType: 'FAST', removalPolicy: 'maybe', alarmEmail: 'x' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/3 problem\(s\)/);
    expect((error as Error).message).toMatch(/workflowType/);
    expect((error as Error).message).toMatch(/removalPolicy/);
    expect((error as Error).message).toMatch(/alarmEmail/);
  });

  it("ignores CDK feature flags and other tools' context", () => {
    expect(() =>
      parseConfig({ '@aws-cdk/core:newStyleStackSynthesis': true, 'cli-telemetry': false }),
    ).not.toThrow();
  });
});

describe('MetadataPipeline properties', () => {
  const stackWithBucket = () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'S');
    return { stack, bucket: new s3.Bucket(stack, 'B') };
  };

  it('fails when no bucket is given', () => {
    const { stack } = stackWithBucket();
    expect(() => new MetadataPipeline(stack, 'P', { buckets: [] })).toThrow(
      /buckets must name at least one bucket \(received none\)/,
    );
  });

  it('fails when the batch size is out of range, showing the value', () => {
    const { stack, bucket } = stackWithBucket();
    expect(() => new MetadataPipeline(stack, 'P', { buckets: [{ bucket }], starterBatchSize: 50 })).toThrow(
      /starterBatchSize must be an integer from 1 to 10 \(received 50\)/,
    );
  });

  it('fails when the maximum concurrency is below what SQS event sources allow', () => {
    const { stack, bucket } = stackWithBucket();
    expect(
      () => new MetadataPipeline(stack, 'P', { buckets: [{ bucket }], starterMaxConcurrency: 1 }),
    ).toThrow(/starterMaxConcurrency must be an integer from 2 to 1000 \(received 1\)/);
  });

  it('fails when a webhook is not https', () => {
    const { stack, bucket } = stackWithBucket();
    expect(
      () => new MetadataPipeline(stack, 'P', { buckets: [{ bucket }], webhookUrls: ['http://x.example'] }),
    ).toThrow(/webhookUrls must be https:\/\/ URLs \(received "http:\/\/x.example"\)/);
  });

  it('can be used in another app with an imported bucket: its .pdf events reach the ingest queue, its objects can be read', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Other');
    new MetadataPipeline(stack, 'P', {
      buckets: [
        { bucket: s3.Bucket.fromBucketName(stack, 'Imported', 'someone-elses-bucket'), suffix: '.pdf' },
      ],
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    const queueArn = { 'Fn::GetAtt': [logicalId(template, 'AWS::SQS::Queue', 'PIngestQueue'), 'Arn'] };
    const pdfOnly = { Key: { FilterRules: [{ Name: 'suffix', Value: '.pdf' }] } };
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: 'someone-elses-bucket',
      // Not managed by this stack: CDK adds its configurations to the bucket's own instead of replacing them.
      Managed: false,
      NotificationConfiguration: {
        QueueConfigurations: Match.arrayWith([
          { Events: ['s3:ObjectCreated:*'], Filter: pdfOnly, QueueArn: queueArn },
          { Events: ['s3:ObjectRemoved:*'], Filter: pdfOnly, QueueArn: queueArn },
        ]),
      },
    });
    const bucketArn = (suffix = '') => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::someone-elses-bucket${suffix}`]],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: Match.arrayWith(['s3:GetObject']), Resource: bucketArn('/*') }),
          Match.objectLike({ Action: 's3:ListBucket', Resource: bucketArn() }),
        ]),
      },
    });
  });
});
