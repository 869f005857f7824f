import { awsJson, boto3Json, describeWithClients } from './support/clients';

// The suite's own plumbing, through both clients: one endpoint, any credentials.
describeWithClients('real clients reach the local runtime', () => {
  it('lists the runtime bucket with the AWS CLI (ListBuckets, https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html)', async () => {
    const listed = await awsJson<{ Buckets: { Name: string }[] }>(['s3api', 'list-buckets']);
    expect(listed.Buckets.map((bucket) => bucket.Name)).toContain('uploads');
  });

  it('lists the runtime bucket with boto3', async () => {
    const names = await boto3Json<string[]>(
      "out([b['Name'] for b in client('s3').list_buckets()['Buckets']])",
    );
    expect(names).toContain('uploads');
  });
});
