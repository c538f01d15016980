import { validDefinitionArb } from '@domain/test-support/arbitraries.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { definitionToFlow, flowToDefinition } from './definition-to-flow.js';
import { FIXTURES } from './fixtures/index.js';
import { START_NODE_ID, stepNodeId } from './flow-types.js';

describe('definitionToFlow', () => {
  it('draws a blank sequence as the start with one open link to add the first step on', () => {
    const flow = definitionToFlow(FIXTURES.blank);
    expect(flow.nodes.map((n) => n.type)).toEqual(['start', 'end']);
    expect(flow.edges).toHaveLength(1);
    expect(flow.edges[0]?.data).toEqual({ link: { from: null, key: 'start' }, target: null });
  });

  it('draws one node per step and one edge per link, plus an open end after the last step', () => {
    const flow = definitionToFlow(FIXTURES.linear);
    expect(flow.nodes.map((n) => n.type)).toEqual([
      'start',
      'activity',
      'wait',
      'activity',
      'activity',
      'end',
    ]);
    expect(flow.edges.map((e) => [e.source, e.target])).toEqual([
      [START_NODE_ID, stepNodeId('intro')],
      [stepNodeId('intro'), stepNodeId('wait1')],
      [stepNodeId('wait1'), stepNodeId('call1')],
      [stepNodeId('call1'), stepNodeId('task1')],
      [stepNodeId('task1'), 'end:task1:next'],
    ]);
  });

  it('splits a condition into a Yes and a No edge from their own handles', () => {
    const flow = definitionToFlow(FIXTURES.branching);
    const fromCondition = flow.edges.filter((e) => e.source === stepNodeId('c1'));
    expect(fromCondition.map((e) => [e.sourceHandle, e.target])).toEqual([
      ['yes', stepNodeId('call1')],
      ['no', stepNodeId('w1')],
    ]);
  });

  it('names each link by the steps it joins, not by node ids (audit: “Edge from step:condition-2 to …”)', () => {
    const flow = definitionToFlow(FIXTURES.branchEnds);
    expect(flow.edges.map((e) => e.ariaLabel)).toEqual([
      'From the start to Intro email',
      'From Intro email to Email replied',
      'From Email replied (Yes) to Call to book',
      'From Email replied (No) to Wait 2 days',
      'From Wait 2 days to Automated email',
      'From Automated email to Email opened',
      'From Email opened (Yes) to Update field',
      'From Email opened (No) to Task',
      'From Task to the end',
      'From Update field to the end',
      'From Call to book to the end',
    ]);
  });

  it('keeps the links off the nodes: edges are the only place they live', () => {
    const flow = definitionToFlow(FIXTURES.branching);
    for (const node of flow.nodes) {
      if (node.type === 'start' || node.type === 'end') continue;
      expect(node.data.step).not.toHaveProperty('next');
      expect(node.data.step).not.toHaveProperty('yes');
      expect(node.data.step).not.toHaveProperty('no');
    }
  });

  it('draws steps that several branches reach once (paths join)', () => {
    const flow = definitionToFlow(FIXTURES.highVolumeOutbound);
    const intoConnect = flow.edges.filter((e) => e.target === stepNodeId('li_connect'));
    expect(intoConnect.length).toBeGreaterThan(1);
    expect(flow.nodes.filter((n) => n.id === stepNodeId('li_connect'))).toHaveLength(1);
  });

  it('keeps a link to a missing step on an edge to an end, so it survives the round trip', () => {
    const broken = {
      ...FIXTURES.linear,
      steps: [{ id: 'a', type: 'task' as const, next: 'ghost' }],
      start: 'a',
    };
    const flow = definitionToFlow(broken);
    expect(flow.edges.find((e) => e.data?.link.from === 'a')?.data?.target).toBe('ghost');
    expect(flowToDefinition(flow)).toEqual(broken);
  });
});

describe('definition → flow → definition', () => {
  it('is the identity on every fixture', () => {
    for (const def of Object.values(FIXTURES))
      expect(flowToDefinition(definitionToFlow(def))).toStrictEqual(def);
  });

  it('is the identity on generated valid definitions', () => {
    fc.assert(
      fc.property(validDefinitionArb, (def) => {
        expect(flowToDefinition(definitionToFlow(def))).toStrictEqual(def);
      }),
      { numRuns: 300 },
    );
  });
});
