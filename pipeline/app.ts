#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { addSecurityGates } from '../common/security-gates';
import { loadConfig } from './config';
import { PipelineStack } from './pipeline-stack';
import { warnAboutPlaceholders } from './placeholder-warning';

const app = new App();
const config = loadConfig(app.node);
warnAboutPlaceholders(app, config);
addSecurityGates(app);
new PipelineStack(app, 'ClairPipeline', { env: config.pipeline, config }).finish();
app.synth();
