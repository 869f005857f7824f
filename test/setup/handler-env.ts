// Environment the Lambda entry files read at import (as CDK sets it when deployed).
process.env.AWS_REGION ??= 'eu-west-1';
process.env.TABLE_NAME ??= 'S3FileMetadata';
process.env.TOPIC_ARN ??= 'arn:aws:sns:eu-west-1:123456789012:s3-metadata-notifications';
process.env.STATE_MACHINE_ARN ??= 'arn:aws:states:eu-west-1:123456789012:stateMachine:metadata-pipeline';
// Handlers log through Powertools; keep test output readable.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
