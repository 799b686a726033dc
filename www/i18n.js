// The page's own words in Simplified Chinese (first) and English. Question and
// option texts come from the instrument, not from here.

/** @typedef {'zh-CN' | 'en'} Lang */

const strings = {
  'zh-CN': {
    skip: '跳到正文',
    brand: '满意 manyi',
    title: '满意度与净推荐值报告',
    lead: '选择一份问卷数据 CSV 文件，即可在本机算出各题频数、净推荐值与满意度。数据不会离开这台设备。',
    'load.title': '载入数据',
    'load.pick': '选择 CSV 文件…',
    'load.demo': '载入示例数据（X 支行 2023，366 份）',
    'load.hint': '格式：UTF-8 CSV，表头含 id 与 q1…q17；q1–q16 填选项字母，q17 填 0–10 的整数，空白表示未作答。',
    foot: 'manyi 在您的浏览器中运行（WebAssembly），不使用服务器。',
    switchTo: 'English',
    switchLabel: 'Switch to English',
    loading: '正在导入 {name}…',
    loaded: '已导入 {name}：{n} 份问卷。',
    demoName: '示例数据',
    failed: '{name} 未导入：发现 {total} 处问题，未导入任何数据。',
    failedMore: '仅列出前 {shown} 处。',
    fetchFailed: '无法读取 {name}：{message}',
    'col.line': '行',
    'col.column': '列',
    'col.value': '值',
    'col.problem': '问题',
    'report.title': '报告：{name}',
    'report.n': '有效问卷 {n} 份',
    'nps.title': '净推荐值（NPS）',
    'nps.of': '基于 {q}：{n} 人作答，{missing} 人未作答',
    'nps.promoters': '推荐者（9–10 分）',
    'nps.passives': '被动者（7–8 分）',
    'nps.detractors': '贬损者（0–6 分）',
    'nps.group': '类别',
    'nps.groups': '推荐者、被动者与贬损者',
    'nps.none': '无人作答，无法计算 NPS',
    'nps.ci': '95% 置信区间：{lo} 至 {hi}（误差范围 ±{moe}）',
    'nps.small': '作答人数少于 30，结果仅供参考',
    'sat.title': '满意度',
    'sat.caption': '满意度各项（满意 = 3，一般 = 2，不满意 = 1）',
    'sat.item': '题目',
    'sat.valid': '有效',
    'sat.top': '满意',
    'sat.bottom': '不满意',
    'sat.mean': '均值（1–3）',
    'sat.index': '指数（0–100）',
    'freq.title': '各题频数分布',
    'freq.option': '选项',
    'freq.count': '人数',
    'freq.percent': '百分比',
    'freq.total': '合计',
    'freq.missing': '未作答',
    'device.title': '本机数据',
    'device.operator': '操作员（记录在导入的问卷上）',
    'device.import': '导入文件（CSV / Excel / 备份）…',
    'device.report': '查看本机数据报告',
    'device.name': '本机数据',
    'device.status': '本机已保存 {total} 份问卷，其中 {unexported} 份尚未导出。',
    'device.persisted': '浏览器已承诺持久保存这些数据。',
    'device.notPersisted': '浏览器未承诺持久保存：存储空间紧张时数据可能被清除，请定期导出备份。',
    'device.usage': '已用存储 {used}，可用约 {quota}。',
    'device.empty': '本机尚未保存任何问卷。',
    'preview.title': '导入预览',
    'preview.summary': '{name}：共 {rows} 行；新增 {new} 行，已存在且相同 {same} 行（将跳过），冲突 {conflicts} 行。',
    'preview.conflictsCaption': '冲突：同一编号、答案不同。请对照纸质问卷选择保留哪一份。',
    'preview.id': '编号',
    'preview.question': '题目',
    'preview.existing': '本机已有',
    'preview.incoming': '导入文件',
    'preview.keep': '保留本机已有',
    'preview.take': '采用导入文件',
    'preview.commit': '确认导入',
    'preview.cancel': '取消',
    'preview.undecided': '还有 {n} 处冲突未作选择。',
    'progress.label': '正在保存',
    'import.done': '已导入：新增 {added} 份，替换 {replaced} 份，跳过相同的 {same} 份。',
    'import.cancelled': '已取消导入，未保存任何数据。',
    'export.title': '导出',
    'export.csv': '交换格式 CSV',
    'export.labelled': '带选项文字的 CSV',
    'export.xlsx': 'Excel 工作簿',
    'export.backup': '完整备份',
    'export.done': '已导出 {name}。',
    'problem.json': '问卷定义不是有效的 JSON',
    'problem.invalid': '问卷定义不符合规则',
    'problem.no_header': '文件为空，缺少表头行',
    'problem.missing_column': '表头缺少必需的列',
    'problem.duplicate_column': '表头中列名重复',
    'problem.unnamed_column': '该列没有列名；请填写列名，若该列为空请删除',
    'problem.ragged_row': '该行的字段数与表头不一致',
    'problem.invalid_utf8': '不是有效的 UTF-8 编码；若文件以 GBK/GB18030 保存，请另存为 UTF-8',
    'problem.unterminated_quote': '引号未闭合，文件在引号内结束',
    'problem.text_after_quote': '闭合引号之后还有文字',
    'problem.empty_id': '问卷编号（id）为空',
    'problem.duplicate_id': '问卷编号（id）重复',
    'problem.unknown_option': '不是该题的选项',
    'problem.not_an_integer': '不是整数',
    'problem.out_of_range': '超出该题的取值范围',
    'problem.unknown_name': '名称不存在',
    'problem.unreadable': '文件无法读取或已损坏',
    'problem.conflict': '同一编号、答案不同',
  },
  en: {
    skip: 'Skip to content',
    brand: 'manyi 满意',
    title: 'Satisfaction and Net Promoter Score report',
    lead: 'Pick a CSV file of survey responses to get every question’s frequencies, the NPS and the satisfaction scores, computed on this device. Your data never leaves it.',
    'load.title': 'Load data',
    'load.pick': 'Choose a CSV file…',
    'load.demo': 'Load the demo data (X branch 2023, 366 responses)',
    'load.hint': 'Format: UTF-8 CSV with a header of id and q1…q17; option letters in q1–q16, a whole number 0–10 in q17, blank for not answered.',
    foot: 'manyi runs in your browser (WebAssembly) and uses no server.',
    switchTo: '中文',
    switchLabel: '切换到中文',
    loading: 'Importing {name}…',
    loaded: 'Imported {name}: {n} responses.',
    demoName: 'demo data',
    failed: '{name} was not imported: {total} problem(s) found, nothing was imported.',
    failedMore: 'Only the first {shown} are listed.',
    fetchFailed: 'Could not read {name}: {message}',
    'col.line': 'Line',
    'col.column': 'Column',
    'col.value': 'Value',
    'col.problem': 'Problem',
    'report.title': 'Report: {name}',
    'report.n': '{n} valid responses',
    'nps.title': 'Net Promoter Score (NPS)',
    'nps.of': 'From {q}: {n} answered, {missing} did not',
    'nps.promoters': 'Promoters (9–10)',
    'nps.passives': 'Passives (7–8)',
    'nps.detractors': 'Detractors (0–6)',
    'nps.group': 'Group',
    'nps.groups': 'Promoters, passives and detractors',
    'nps.none': 'Nobody answered: no NPS',
    'nps.ci': '95% confidence interval: {lo} to {hi} (margin of error ±{moe})',
    'nps.small': 'Fewer than 30 answers: read with care',
    'sat.title': 'Satisfaction',
    'sat.caption': 'Satisfaction items (satisfied = 3, neutral = 2, dissatisfied = 1)',
    'sat.item': 'Item',
    'sat.valid': 'Valid',
    'sat.top': 'Satisfied',
    'sat.bottom': 'Dissatisfied',
    'sat.mean': 'Mean (1–3)',
    'sat.index': 'Index (0–100)',
    'freq.title': 'Frequencies',
    'freq.option': 'Option',
    'freq.count': 'Count',
    'freq.percent': 'Percent',
    'freq.total': 'Total',
    'freq.missing': 'Not answered',
    'device.title': 'Data on this device',
    'device.operator': 'Operator (recorded on imported responses)',
    'device.import': 'Import a file (CSV / Excel / backup)…',
    'device.report': 'Report on this device’s data',
    'device.name': 'this device’s data',
    'device.status': '{total} responses are saved on this device; {unexported} have not been exported yet.',
    'device.persisted': 'The browser has promised to keep this data.',
    'device.notPersisted': 'The browser has not promised to keep this data: it may be cleared when space runs low, so export a backup regularly.',
    'device.usage': 'Storage used {used} of about {quota}.',
    'device.empty': 'No responses are saved on this device yet.',
    'preview.title': 'Import preview',
    'preview.summary': '{name}: {rows} rows; {new} new, {same} already here and identical (skipped), {conflicts} in conflict.',
    'preview.conflictsCaption': 'Conflicts: the same id with different answers. Check the paper form and choose which to keep.',
    'preview.id': 'Id',
    'preview.question': 'Question',
    'preview.existing': 'On this device',
    'preview.incoming': 'In the file',
    'preview.keep': 'Keep this device’s',
    'preview.take': 'Take the file’s',
    'preview.commit': 'Import',
    'preview.cancel': 'Cancel',
    'preview.undecided': '{n} conflict(s) still need a decision.',
    'progress.label': 'Saving',
    'import.done': 'Imported: {added} new, {replaced} replaced, {same} identical skipped.',
    'import.cancelled': 'Import cancelled; nothing was saved.',
    'export.title': 'Export',
    'export.csv': 'Interchange CSV',
    'export.labelled': 'CSV with option texts',
    'export.xlsx': 'Excel workbook',
    'export.backup': 'Full backup',
    'export.done': 'Exported {name}.',
  },
};

/** The stored language, or the browser's if it prefers English, else Chinese. */
export function initialLang() {
  const saved = globalThis.localStorage?.getItem('manyi.lang');
  if (saved === 'zh-CN' || saved === 'en') return saved;
  return 'zh-CN';
}

/** Remembers the language for the next visit. */
export function saveLang(/** @type {Lang} */ lang) {
  try {
    globalThis.localStorage?.setItem('manyi.lang', lang);
  } catch {
    /* private mode: the choice lasts for this page only */
  }
}

/** The string `key` in `lang` with `{name}` placeholders filled in. */
export function t(/** @type {Lang} */ lang, key, vars = {}) {
  const s = strings[lang][key] ?? strings['zh-CN'][key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));
}

/** Whether `lang` has its own text for `key`. */
export function has(/** @type {Lang} */ lang, key) {
  return key in strings[lang];
}

/** Fills every element with a data-i18n attribute. */
export function translatePage(/** @type {Lang} */ lang) {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll('[data-i18n]')) {
    el.textContent = t(lang, el.getAttribute('data-i18n'));
  }
}
