// The "Age-restricted content" block in the block editor, as a plain script (no build step): its
// title, attributes and rendering are registered in PHP (includes/Gate/GateEditor.php); this draws it
// with its settings in the sidebar and saves only its inner blocks, which the server shows or gates.
(function (wp, labels) {
  const el = wp.element.createElement;
  const { InnerBlocks, InspectorControls, useBlockProps } = wp.blockEditor;
  const { PanelBody, SelectControl, TextControl } = wp.components;
  const YEAR_RULE = 'min_year_age';

  wp.blocks.registerBlockType('iamport-verify/gate', {
    edit({ attributes, setAttributes }) {
      const summary = (attributes.rule === YEAR_RULE ? labels.summaryYear : labels.summaryInternational).replace('%d', attributes.age);
      return el('div', useBlockProps({ className: 'iamport-verify-gate-editor', style: { border: '1px dashed currentColor', padding: '0.5em 1em' } }),
        el(InspectorControls, null,
          el(PanelBody, { title: labels.rule },
            el(SelectControl, {
              label: labels.rule,
              value: attributes.rule,
              options: [{ value: YEAR_RULE, label: labels.yearRule }, { value: 'min_age', label: labels.internationalAge }],
              onChange: (rule) => setAttributes({ rule }),
            }),
            el(TextControl, {
              label: labels.age, type: 'number', min: 1, max: 99, value: attributes.age,
              onChange: (value) => {
                const age = Number.parseInt(value, 10);
                if (age >= 1 && age <= 99) setAttributes({ age });
              },
            }))),
        el('p', { className: 'iamport-verify-gate-editor-summary' }, '🔒 ' + summary),
        el(InnerBlocks));
    },
    save() {
      return el(InnerBlocks.Content);
    },
  });
})(window.wp, window.iamportVerifyGateBlock);
