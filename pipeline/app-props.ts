import { AppProps } from 'aws-cdk-lib';

/**
 * Settings of every clair-pipeline App (the CDK entry point and the tests). The built-in
 * CloudFormation schema check only ever warns and costs about 7 s a synth; cfn-lint checks the
 * same resource schemas (its E3 rules, every property, type and allowed value) over every template
 * of the default app as a real gate instead (test/pipeline/cfn-lint.test.ts). Its own module, so
 * a test that builds only part of the app need not load the whole pipeline.
 */
export const APP_PROPS: AppProps = { builtinCloudFormationValidation: false };
