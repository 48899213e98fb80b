#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { APP_PROPS, buildApp } from './build-app';

const app = new App(APP_PROPS);
buildApp(app);
app.synth();
