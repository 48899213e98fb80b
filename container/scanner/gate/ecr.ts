import { Deadline } from './deadline';
import { EXIT, GateError } from './errors';
import { ImageRef } from './image-ref';
import { run } from './process';
import { addSecret } from './text';

const ECR_HOST = /^[0-9]{12}\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/;

/**
 * The ECR password for an image on ECR (`aws ecr get-login-password` in the registry's region, with
 * the build's credentials), registered for redaction; undefined for other registries, whose
 * DOCKER_USER/DOCKER_PASSWORD reach klar unchanged. Fails 4 when it cannot be had; `printError`
 * shows the CLI's own error first.
 */
export async function ecrPassword(
  image: ImageRef,
  env: Readonly<Record<string, string | undefined>>,
  deadline: Deadline,
  printError: (text: string) => void,
): Promise<string | undefined> {
  const region = ECR_HOST.exec(image.registry)?.[1];
  if (!region) return undefined;
  const command = `aws ecr get-login-password --region ${region}`;
  const failed = (): never => {
    throw new GateError(EXIT.credentials, `cannot get an ECR password for ${image.uri}: '${command}' failed`);
  };
  let result;
  try {
    result = await run(
      'aws',
      ['ecr', 'get-login-password', '--region', region],
      { ...env },
      {
        deadline,
        maxStdout: 64 * 1024,
        what: `running '${command}'`,
      },
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).syscall?.startsWith('spawn')) failed();
    throw error;
  }
  const password = result.stdout.trim();
  if (result.status !== 0 || password === '') {
    printError(result.stderr);
    failed();
  }
  addSecret(password, 'AWS');
  return password;
}
