// Definition ↔ flow: the designer draws a definition as nodes (the step contents) and edges (the links).
// flowToDefinition reads links back from the edges alone, so the pair is a faithful round trip.
import { assertNever, type SequenceDefinition, type Step } from '@domain/definition.js';
import { stepTitle } from './describe-step.js';
import {
  type DesignerNode,
  endNodeId,
  type Flow,
  isStepNode,
  type LinkEdge,
  type LinkProperty,
  type LinkRef,
  START_NODE_ID,
  type StepContent,
  type StepNode,
  stepNodeId,
} from './flow-types.js';

const ORIGIN = { x: 0, y: 0 };

export function definitionToFlow(definition: SequenceDefinition): Flow {
  const known = new Set<string>();
  const unique: Step[] = [];
  for (const step of definition.steps) {
    if (known.has(step.id)) continue; // a duplicate id is a validation error; draw the first one only
    known.add(step.id);
    unique.push(step);
  }
  const stepNodes = unique.map(toStepNode);
  const names = new Map(unique.map((step) => [step.id, stepTitle(step)]));
  const ends: DesignerNode[] = [];
  const edges: LinkEdge[] = [];
  const addLink = (link: LinkRef, target: string | undefined, open: boolean) => {
    const from = link.from === null ? 'From the start' : `From ${names.get(link.from)}`;
    const branch = link.key === 'yes' ? ' (Yes)' : link.key === 'no' ? ' (No)' : '';
    if (target !== undefined && known.has(target)) {
      edges.push(linkEdge(link, target, stepNodeId(target), `${from}${branch} to ${names.get(target)}`));
      return;
    }
    if (target === undefined && !open) return;
    // An open branch, or a link to a step that doesn't exist: draw it to an end so it can be fixed.
    const end = endNodeId(link);
    ends.push({ id: end, type: 'end', position: ORIGIN, data: {} });
    const to = target === undefined ? 'the end' : `a missing step (${target})`;
    edges.push(linkEdge(link, target ?? null, end, `${from}${branch} to ${to}`));
  };
  addLink({ from: null, key: 'start' }, definition.start === '' ? undefined : definition.start, true);
  for (const step of unique) {
    for (const [key, target, open] of linksOf(step)) addLink({ from: step.id, key }, target, open);
  }
  const start: DesignerNode = {
    id: START_NODE_ID,
    type: 'start',
    position: ORIGIN,
    data: { options: definition.options },
  };
  return { nodes: [start, ...stepNodes, ...ends], edges };
}

export function flowToDefinition(flow: Flow): SequenceDefinition {
  const start = flow.nodes.find((n) => n.type === 'start');
  if (start?.type !== 'start') throw new Error('A designer flow always has a start node.');
  const linksFrom = new Map<string, Partial<Record<LinkProperty, string>>>();
  let first = '';
  for (const edge of flow.edges) {
    const data = edge.data;
    if (data === undefined || data.target === null) continue;
    if (data.link.key === 'start') {
      first = data.target;
      continue;
    }
    const from = data.link.from ?? '';
    linksFrom.set(from, { ...linksFrom.get(from), [data.link.key]: data.target });
  }
  const steps = flow.nodes.filter(isStepNode).map((node) => {
    const content = node.data.step;
    return withLinks(content, linksFrom.get(content.id) ?? {});
  });
  return { start: first, options: start.data.options, steps };
}

/** The step without its links. */
export function stepContent(step: Step): StepContent {
  const {
    next: _n,
    yes: _y,
    no: _o,
    ...content
  } = step as Step & { next?: string; yes?: string; no?: string };
  return content as StepContent;
}

export function withLinks(content: StepContent, links: Partial<Record<LinkProperty, string>>): Step {
  switch (content.type) {
    case 'condition':
      return {
        ...content,
        ...(links.yes === undefined ? {} : { yes: links.yes }),
        ...(links.no === undefined ? {} : { no: links.no }),
      };
    case 'advance_to_sequence':
      return content;
    default:
      return { ...content, ...(links.next === undefined ? {} : { next: links.next }) } as Step;
  }
}

/** A step's links as [key, target, open]: `open` when a missing target leaves a branch to add to. */
function linksOf(step: Step): [LinkProperty, string | undefined, boolean][] {
  switch (step.type) {
    case 'condition':
      return [
        ['yes', step.yes, true],
        ['no', step.no, true],
      ];
    case 'advance_to_sequence':
      return [];
    case 'email':
    case 'automated_email':
    case 'phone_call':
    case 'task':
    case 'linkedin_research':
    case 'linkedin_get_introduced':
    case 'linkedin_connect':
    case 'linkedin_inmail':
    case 'wait':
    case 'update_field':
      return [['next', step.next, true]];
    default:
      return assertNever(step);
  }
}

function toStepNode(step: Step): StepNode {
  const id = stepNodeId(step.id);
  const base = { id, position: ORIGIN };
  switch (step.type) {
    case 'condition':
      return { ...base, type: 'condition', data: { step: stepContent(step) as StepContent<typeof step> } };
    case 'wait':
      return { ...base, type: 'wait', data: { step: stepContent(step) as StepContent<typeof step> } };
    case 'update_field':
    case 'advance_to_sequence':
      return { ...base, type: 'command', data: { step: stepContent(step) as StepContent<typeof step> } };
    case 'email':
    case 'automated_email':
    case 'phone_call':
    case 'task':
    case 'linkedin_research':
    case 'linkedin_get_introduced':
    case 'linkedin_connect':
    case 'linkedin_inmail':
      return { ...base, type: 'activity', data: { step: stepContent(step) as StepContent<typeof step> } };
    default:
      return assertNever(step);
  }
}

/** `label` names the link for assistive technology, which React Flow would otherwise give node ids. */
function linkEdge(link: LinkRef, target: string | null, targetNode: string, label: string): LinkEdge {
  const source = link.from === null ? START_NODE_ID : stepNodeId(link.from);
  return {
    id: `link:${link.from ?? ''}:${link.key}`,
    type: 'link',
    ariaLabel: label,
    source,
    ...(link.key === 'yes' || link.key === 'no' ? { sourceHandle: link.key } : {}),
    target: targetNode,
    data: { link, target },
  };
}
