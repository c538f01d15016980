// An inline error next to a form, in words: the server's detail and the problems it lists.
import { Icon } from './Icon.js';
import { problemText } from './problem-text.js';

export function ProblemAlert({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  return (
    <div className="form-error" role="alert">
      <Icon name="warning" size={16} />
      <span>{problemText(error)}</span>
    </div>
  );
}
