import { zodToJsonSchema } from 'zod-to-json-schema';
import { scenarioSchema } from '../scenario/schema.js';

/** JSON Schema of the scenario format, for editor completion (yaml-language-server). */
export function scenarioJsonSchema(): object {
  const schema = zodToJsonSchema(scenarioSchema, { name: 'StacklabScenario', $refStrategy: 'none', effectStrategy: 'input' }) as Record<string, unknown>;
  return { $id: 'https://stacklab.invalid/scenario.schema.json', title: 'stacklab scenario', ...schema };
}

export function schemaCommand(): number {
  process.stdout.write(JSON.stringify(scenarioJsonSchema(), null, 2) + '\n');
  return 0;
}
