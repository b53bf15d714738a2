/**
 * Embeds templates/ into src/render/templates.generated.ts (`npm run templates`), so the renderers
 * read their templates the same way from the CLI, the tests and a bundled Lambda (which has no
 * templates/ folder beside it). A test fails when the generated module drifts from templates/.
 */
import { writeFileSync } from 'node:fs';
import { GENERATED_TEMPLATES_PATH, renderTemplatesModule } from '../src/render/template-sources.js';

writeFileSync(GENERATED_TEMPLATES_PATH, renderTemplatesModule());
console.log(`wrote ${GENERATED_TEMPLATES_PATH.pathname}`);
