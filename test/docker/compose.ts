// docker compose (the v2 plugin) when the engine has it, else Debian's docker-compose (v1),
// always on docker-compose.test.yml, under one project name, with the test image names.
import { COMPOSE_ENV, COMPOSE_FILE, COMPOSE_PROJECT } from './paths.js';
import { must, run } from './sh.js';

export const PROFILES = ['crash-restart', 'init-container', 'two-live', 'shared-pidns', 'graceful-stop', 'zombies', 'openclaw-restart'] as const;
export type Profile = (typeof PROFILES)[number];

export class Compose {
  private constructor(private readonly program: string, private readonly prefix: string[]) {}

  static detect(): Compose {
    if (run('docker', ['compose', 'version']).code === 0) return new Compose('docker', ['compose']);
    if (run('sh', ['-c', 'command -v docker-compose']).code === 0) return new Compose('docker-compose', []);
    throw new Error('neither "docker compose" nor "docker-compose" is installed; run scripts/docker/install-engine.sh');
  }

  describe(): string {
    const version = run(this.program, [...this.prefix, 'version', '--short']).stdout.trim();
    return `${[this.program, ...this.prefix].join(' ')} ${version}`;
  }

  private exec(profiles: readonly Profile[], args: string[], timeoutMs = 180_000) {
    const base = [...this.prefix, '-f', COMPOSE_FILE, '-p', COMPOSE_PROJECT, ...profiles.flatMap((p) => ['--profile', p])];
    return must(this.program, [...base, ...args], { env: { ...process.env, ...COMPOSE_ENV }, timeoutMs });
  }

  /** `up -d` one service (and, unless noDeps, what it depends on, waiting for their conditions). */
  up(profile: Profile, service: string, options: { noDeps?: boolean } = {}): string {
    this.exec([profile], ['up', '-d', ...(options.noDeps ? ['--no-deps'] : []), service]);
    return this.idOf(profile, service);
  }

  /** A new container for the service (a new id, so a new hostname) in place of the old one, as after an image update. */
  recreate(profile: Profile, service: string): string {
    this.exec([profile], ['up', '-d', '--no-deps', '--force-recreate', service]);
    return this.idOf(profile, service);
  }

  idOf(profile: Profile, service: string): string {
    const id = this.exec([profile], ['ps', '-q', service]).stdout.trim().split('\n')[0] ?? '';
    if (id === '') throw new Error(`compose service ${service} (profile ${profile}) has no container`);
    return id;
  }

  /** Removes the project's containers and volumes, every profile included. */
  down(): void {
    this.exec(PROFILES, ['down', '--volumes', '--remove-orphans', '--timeout', '5']);
  }
}
