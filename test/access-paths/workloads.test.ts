/**
 * What the running workloads need: the ECS execution roles read the secrets their containers are
 * given (and may decrypt them), and every role that runs an ECR image (task execution roles,
 * CodeBuild projects such as the scanner) may pull it.
 */
import { CloudModel, ModelResource, PARTITION } from './cloud-model';
import { Caller, decide, roleCaller } from './evaluate';
import { keyByArn } from './resource-policies';

const model = CloudModel.ofDefaultApp();

/**
 * The key policy AWS gives the AWS-managed key `aws/secretsmanager`, which a secret without a
 * KmsKeyId uses: any principal of the account may use it through Secrets Manager.
 */
function awsManagedSecretsKeyPolicy(account: string, region: string): any {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        Resource: '*',
        Condition: {
          StringEquals: { 'kms:CallerAccount': account, 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` },
        },
      },
    ],
  };
}

/** A secret's ARN without the JSON key, version stage and version id ECS may append. */
const secretArnOf = (valueFrom: string) => valueFrom.split(':').slice(0, 7).join(':');

interface SecretRead {
  readonly name: string;
  readonly role: ModelResource;
  readonly secret: ModelResource;
}

const secretReads: SecretRead[] = model.resources('AWS::ECS::TaskDefinition').flatMap((task) => {
  const role = model.resourceByArn(model.resolve(task.stack, task.props.ExecutionRoleArn));
  const secrets: string[] = model
    .resolve(task.stack, task.props.ContainerDefinitions)
    .flatMap((container: any) => (container.Secrets ?? []).map((s: any) => secretArnOf(s.ValueFrom)));
  return [...new Set(secrets)].map((arn) => {
    const secret = model.resourceByArn(arn);
    return { name: `${task.stack.displayPath} ${secret.logicalId}`, role, secret };
  });
});

function readSecret(caller: Caller, secret: ModelResource) {
  return decide({
    caller,
    action: 'secretsmanager:GetSecretValue',
    resource: model.arnOf(secret),
    resourceAccount: secret.stack.account,
  });
}

function decryptSecret(caller: Caller, secret: ModelResource) {
  const { account, region } = secret.stack;
  const customerKey = model.resolve(secret.stack, secret.props.KmsKeyId);
  const policy = customerKey ? keyByArn(model, customerKey).policy : awsManagedSecretsKeyPolicy(account, region);
  return decide({
    caller,
    action: 'kms:Decrypt',
    resource: customerKey ?? `arn:${PARTITION}:kms:${region}:${account}:key/aws-secretsmanager-managed-key`,
    resourceAccount: account,
    resourcePolicy: policy,
    context: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com`, 'kms:CallerAccount': account },
  });
}

describe('ECS execution roles → the secrets of their containers', () => {
  test('the walk of the templates finds some', () => {
    expect(secretReads.length).toBeGreaterThan(0);
  });

  test.each(secretReads.map((read) => [read.name, read] as const))('%s may be read', async (_name, read) => {
    expect(await readSecret(roleCaller(model, read.role), read.secret)).toBe('Allowed');
  });

  test.each(secretReads.map((read) => [read.name, read] as const))(
    '%s may be decrypted through Secrets Manager',
    async (_name, read) => {
      expect(await decryptSecret(roleCaller(model, read.role), read.secret)).toBe('Allowed');
    },
  );
});

/** A role and the ECR repository of the image it runs. */
interface ImagePull {
  readonly name: string;
  readonly role: ModelResource;
  readonly repositoryArn: string;
}

/** `account.dkr.ecr.region.amazonaws.com/repository:tag` as the repository's ARN, or nothing for other registries. */
function repositoryArnOf(image: string): string | undefined {
  const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.[^/]+\/([^:@]+)/.exec(image);
  return match ? `arn:${PARTITION}:ecr:${match[2]}:${match[1]}:repository/${match[3]}` : undefined;
}

const imagePulls: ImagePull[] = [
  ...model.resources('AWS::CodeBuild::Project').map((project) => ({
    name: `CodeBuild project ${project.logicalId} (${project.stack.displayPath})`,
    role: model.resourceByArn(model.resolve(project.stack, project.props.ServiceRole)),
    image: model.resolve(project.stack, project.props.Environment.Image),
  })),
  ...model.resources('AWS::ECS::TaskDefinition').flatMap((task) =>
    model.resolve(task.stack, task.props.ContainerDefinitions).map((container: any) => ({
      name: `task ${task.logicalId} container ${container.Name} (${task.stack.displayPath})`,
      role: model.resourceByArn(model.resolve(task.stack, task.props.ExecutionRoleArn)),
      image: container.Image,
    })),
  ),
].flatMap(({ name, role, image }) => {
  const repositoryArn = repositoryArnOf(image);
  return repositoryArn ? [{ name, role, repositoryArn }] : [];
});

describe('roles that run ECR images → their repositories', () => {
  test('the walk of the templates finds some, the scanner among them', () => {
    expect(imagePulls.length).toBeGreaterThan(0);
    expect(imagePulls.some((pull) => /Scanner/.test(pull.name))).toBe(true);
  });

  test.each(imagePulls.map((pull) => [pull.name, pull] as const))('%s may pull its image', async (_name, pull) => {
    const caller = roleCaller(model, pull.role);
    for (const action of ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability']) {
      const decision = await decide({
        caller,
        action,
        resource: pull.repositoryArn,
        resourceAccount: pull.repositoryArn.split(':')[4],
      });
      expect(decision).toBe('Allowed');
    }
  });
});

describe('the suite fails when a grant is removed', () => {
  const [read] = secretReads;
  const [pull] = imagePulls;
  const without = (caller: Caller, action: string): Caller => ({
    ...caller,
    identityPolicies: caller.identityPolicies.map((named) => ({
      ...named,
      policy: {
        ...named.policy,
        Statement: [named.policy.Statement].flat().filter((s: any) => ![s.Action].flat().includes(action)),
      },
    })),
  });

  test('fails a secret once the execution role loses its grant', async () => {
    const caller = without(roleCaller(model, read.role), 'secretsmanager:GetSecretValue');
    expect(await readSecret(caller, read.secret)).toBe('ImplicitlyDenied');
  });

  test('fails an image pull once the role loses its grant', async () => {
    const caller = without(roleCaller(model, pull.role), 'ecr:BatchGetImage');
    const decision = await decide({
      caller,
      action: 'ecr:BatchGetImage',
      resource: pull.repositoryArn,
      resourceAccount: pull.repositoryArn.split(':')[4],
    });
    expect(decision).toBe('ImplicitlyDenied');
  });
});
