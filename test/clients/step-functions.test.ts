import { eventually } from '../support/runtime-process';
import { aws, awsErrorCode, awsJson, describeWithClients } from './support/clients';

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:metadata-pipeline';

// The Step Functions API Reference: each action's documented errors
// (https://docs.aws.amazon.com/step-functions/latest/apireference/CommonErrors.html).
describeWithClients('Step Functions through the AWS CLI', () => {
  it('lists the state machine with the date it was created, not 1970 (https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListStateMachines.html)', async () => {
    const listed = await awsJson<{ stateMachines: { stateMachineArn: string; creationDate: string }[] }>([
      'stepfunctions',
      'list-state-machines',
    ]);
    const machine = listed.stateMachines.find((entry) => entry.stateMachineArn === STATE_MACHINE_ARN);
    const created = Date.parse(machine?.creationDate ?? '');
    expect(created).toBeGreaterThan(Date.now() - 24 * 3600 * 1000);
    expect(created).toBeLessThanOrEqual(Date.now());
  });

  it('answers a malformed execution ARN with InvalidArn (https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html)', async () => {
    const described = await aws(['stepfunctions', 'describe-execution', '--execution-arn', 'not-an-arn']);
    expect(described.code).not.toBe(0);
    expect(awsErrorCode(described)).toBe('InvalidArn');
    const history = await aws([
      'stepfunctions',
      'get-execution-history',
      '--execution-arn',
      STATE_MACHINE_ARN,
    ]);
    expect(awsErrorCode(history)).toBe('InvalidArn');
  });

  it('refuses a status filter outside the enum and a page size over 1000 with ValidationException (https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListExecutions.html)', async () => {
    const list = (...extra: string[]) =>
      aws(['stepfunctions', 'list-executions', '--state-machine-arn', STATE_MACHINE_ARN, ...extra]);
    const bogus = await list('--status-filter', 'BOGUS');
    expect(awsErrorCode(bogus)).toBe('ValidationException');
    expect(bogus.stderr).toContain("Value 'BOGUS' at 'statusFilter' failed to satisfy constraint");
    const large = await list('--page-size', '1001');
    expect(awsErrorCode(large)).toBe('ValidationException');
    const garbage = await list('--no-paginate', '--cli-input-json', JSON.stringify({ nextToken: 'garbage' }));
    expect(awsErrorCode(garbage)).toBe('InvalidToken');
  });

  it("leaves the events' input and output out with --no-include-execution-data (https://docs.aws.amazon.com/step-functions/latest/apireference/API_GetExecutionHistory.html)", async () => {
    const started = await awsJson<{ executionArn: string }>([
      'stepfunctions',
      'start-execution',
      '--state-machine-arn',
      STATE_MACHINE_ARN,
      '--name',
      `clients-history-${Date.now()}`,
      '--input',
      '{"not":"an S3 event"}',
    ]);
    await eventually(
      async () => {
        const described = await awsJson<{ status: string }>([
          'stepfunctions',
          'describe-execution',
          '--execution-arn',
          started.executionArn,
        ]);
        return described.status === 'RUNNING' ? undefined : described.status;
      },
      60_000,
      'the execution to end',
    );
    const history = (...extra: string[]) =>
      awsJson<{ events: { type: string }[] }>([
        'stepfunctions',
        'get-execution-history',
        '--execution-arn',
        started.executionArn,
        ...extra,
      ]);
    const full = await history();
    expect(JSON.stringify(full.events)).toContain('"input":');
    const lean = await history('--no-include-execution-data');
    expect(lean.events.map((event) => event.type)).toEqual(full.events.map((event) => event.type));
    expect(JSON.stringify(lean.events)).not.toMatch(/"(input|output)":/);
  });
});
