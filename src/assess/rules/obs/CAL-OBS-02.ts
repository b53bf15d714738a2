/**
 * CAL-OBS-02 — Felix does not log at Debug.
 *
 * Seed 001 "Felix Configuration Highlights": "Log Level: Info"; seed 002's FelixConfiguration
 * sets "logSeverityScreen: Info". Debug (and Trace, more verbose still) floods node logs and costs
 * CPU on every calico-node.
 */
import { defineRule, listSome } from '../../rule.js';
import { felixSetting, setFelixCommand, setNodeFelixSetting } from '../configuration.js';
import { calicoPresent } from '../applies.js';
import { felixOverrides } from '../../facts/felix.js';

const TOO_VERBOSE = new Set(['debug', 'trace']);

export default defineRule({
  id: 'CAL-OBS-02',
  title: 'Felix does not log at Debug',
  problem: 'Felix logs at Debug',
  why: 'Debug logging costs CPU and buries real errors',
  area: 'ENC',
  severities: ['low'],
  seed: '001 "Log Level: Info"',
  appliesWhen: calicoPresent,
  evaluate({ model, need }) {
    const felix = need(model.felix, 'calico.felixConfigurations');
    const level = felix.logSeverityScreen;
    const { object, field } = felixSetting(model, 'logSeverityScreen');
    // A node's own FelixConfiguration (node.<name>) may set another level there.
    const verboseNodes = felixOverrides(model, (f) => f.logSeverityScreen).filter((o) => TOO_VERBOSE.has(o.value.toLowerCase()));
    const evidence = [
      { object, field, value: level },
      ...verboseNodes.map((o) => ({ object: o.object, field: 'spec.logSeverityScreen', value: o.value, note: `overrides the default on node ${o.node}` })),
    ];
    if (!TOO_VERBOSE.has(level.toLowerCase()) && verboseNodes.length) {
      return {
        status: 'fail',
        severity: 'low',
        summary: `Felix logs at ${level} by default but at ${verboseNodes[0]!.value} on ${listSome(verboseNodes.map((o) => o.node))}, by ${verboseNodes.length > 1 ? 'their' : 'its'} own FelixConfiguration: the volume floods that node's logs and costs calico-node CPU.`,
        evidence,
        remediation: verboseNodes.map((o) => setNodeFelixSetting(o.name, 'logSeverityScreen', 'Info')),
      };
    }
    if (!TOO_VERBOSE.has(level.toLowerCase())) {
      return { status: 'pass', summary: `Felix logs at ${level} to the screen.`, evidence };
    }
    // calico-node's FELIX_* environment overrides the FelixConfiguration: without it, the level in force is not established.
    if (!model.components) need(null, 'kubernetes.daemonSets');
    return {
      status: 'fail',
      severity: 'low',
      summary: `Felix logs at ${level} on every node (${object}): the volume floods node logs and costs calico-node CPU. Info is the default.`,
      evidence,
      remediation: setFelixCommand(model, 'logSeverityScreen', 'Info'),
    };
  },
});
