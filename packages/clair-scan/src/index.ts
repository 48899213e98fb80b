export * from './cdk-assets';
export * from './clair-scan-role';
export * from './clair-scan-step';
export * from './contract';
export * from './gate-policy';
export * from './remote-scan-buildspec';
export * from './scanner-pull';
