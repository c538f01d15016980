// A read-only, non-interactive drawing of a definition: the template gallery's preview.
import type { SequenceDefinition } from '@domain/definition.js';
import { useState } from 'react';
import { DesignerProvider } from '../designer-context.js';
import { createDesignerStore } from '../designer-store.js';
import { DesignerCanvas } from './DesignerCanvas.js';

export function DesignerPreview({ definition, label }: { definition: SequenceDefinition; label: string }) {
  const [store] = useState(() => createDesignerStore({ definition, readOnly: true }));
  return (
    <DesignerProvider store={store} environment={{ sequenceId: null, entityType: 'lead' }}>
      <div className="preview-canvas">
        <DesignerCanvas interactive={false} label={label} />
      </div>
    </DesignerProvider>
  );
}
