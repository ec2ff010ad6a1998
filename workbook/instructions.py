"""The words of the template's instruction sheet (说明), as data.

HR reads this sheet before anything else, so it answers their questions in
their order: what the colours mean, who fills which sheet, the life of a
quarter step by step, what each button does, which cell functions exist and
what the dropdown codes mean. ``template`` lays it out; tests check that every
input sheet, macro and UDF named in the code is explained here, so the sheet
cannot fall behind the code.
"""
from __future__ import annotations

TITLE = "Bonusbook 销售奖金工作簿 · 使用说明"
SUBTITLE = "本工作簿由程序生成（bonusbook template），请勿改动表名和列名。操作步骤、按钮和函数说明见下文；安装方法见项目 README。"

LEGEND: tuple[tuple[str, str], ...] = (
    ("input", "黄色单元格：需要填写或导入的输入。每张输入表都是一个“表格”(Excel Table)，在最后一行下面接着输入即可自动扩展。"),
    ("example", "橙色单元格，备注以【示例】开头：来源制度没有给出数值，这里只是示例，请按公司实际修改后再计算。"),
    ("output", "蓝色表头、受保护的表（计算明细、发放表、校验结果、状态）：由按钮自动生成，不要手工修改。"),
    ("plain", "列名写作“中文 (key)”：可以调整列的顺序、在右侧增加自己的列（会被忽略并提示），但不能改列名。"),
    ("plain", "填写格式：金额 12000、12,000 或 1.2万；比例 15% 或 0.15；日期 2026-07-01 或 2026/7/1；是否 Y/N 或 是/否；编号（工号、客户编号）请按文本输入。选中单元格会显示填写提示。"),
)

# Who fills each input sheet, what it holds, and when. Keyed by sheet key.
OWNERS: dict[str, tuple[str, str, str]] = {
    "Settings": ("人力资源部", "计算期间 period（如 2026Q3）、公司、制表人 prepared_by、数据目录 data_home、启用的组件 components（空=有数据的组件都计算）", "每季度开始"),
    "Policy": ("人力资源部（按制度）", "各项奖惩的参数：比例、期限、开关", "制度变更时"),
    "Tiers": ("人力资源部（按制度）", "档位表：每档的下限、上限、是否含边界、取值", "制度变更时"),
    "Employees": ("人力资源部", "员工名单、部门、团队、等级、基本工资、提成比例、月绩效奖金、季度浮动工资", "每季度核对"),
    "Clients": ("销售运营 / 人力", "客户名单、类别、是否重要/战略客户、系统上线前的首次成交日期", "随时"),
    "Deals": ("销售运营（从 CRM 导出）", "成交明细：多人合作的成交每人一行、分成比例合计 100%；往期成交保留作历史", "每季度末"),
    "Claims": ("部门经理填写部门模板，人力审批后导入", "新客户开发奖励申请、审批人和日期、战略客户上浮", "季度结束后 7 个工作日内"),
    "Incidents": ("部门经理填写部门模板，人力核实", "客户流失、投诉、违规事件", "发生时"),
    "Targets": ("人力资源部", "每人每季度的任务额", "每季度开始"),
    "OpeningBalances": ("人力资源部", "系统上线第一个季度的期初欠额/超额（以后由锁定自动结转）", "上线时一次"),
    "KPI": ("部门经理填写部门模板", "KPI 指标、权重（合计 100%）、目标值、实际值或评分", "每季度末"),
    "Satisfaction": ("客服 / 市场部", "每人每季度的客户满意度", "每季度末"),
    "Units": ("关键客户部", "每人每月台次、渠道台次、CSS 得分", "每月末"),
    "Scorecard": ("大客户部", "月度考核：各项完成率、新客户数、新线索数、行政评分", "每月末"),
    "Ratings": ("各部门", "年度绩效评级与司龄", "年末"),
    "GradeReview": ("客户经理申请，部门初审，评审委员会", "等级评审申请和评审材料", "年末"),
    "Adjustments": ("人力资源部", "对已发布期间的更正（正数补发、负数扣回）", "需要时"),
    "Calendar": ("人力资源部", "工作日历：内置日历还没有的年份（如年初算上年第四季度时的次年），按国务院办公厅通知逐日填写放假(holiday)和调休上班(workday)日期；也可更正内置日历的某一天", "每年国务院公布节假日安排后"),
}

STEPS: tuple[str, ...] = (
    "准备：复制空白模板（或上季度的工作簿），在 设置 表填写 period（如 2026Q3）、company 和 prepared_by（制表人）。",
    "填写：人力填写 员工、客户、成交、季度任务、满意度等表；用 bonusbook manager-template 生成部门模板发给各部门经理。",
    "导入：收回部门模板后按“导入”。每个文件先整体检查，有问题的文件整份不导入并列出问题，其他文件照常导入。",
    "校验：按“校验”。错误和警告列在 校验结果 表，点击单元格地址可跳到出错的格子。有错误时不能计算，警告可以继续。",
    "计算：按“计算”，生成 计算明细（每一行写明依据和引用的输入行）和 发放表。修改输入后要重新计算。",
    "锁定：审批人核对后按“锁定”并输入自己的姓名（不能是制表人）。锁定记录输入和结果的指纹，并保护输入表。",
    "重新打开：锁定后、发布前发现问题，由锁定人以外的人按“重新打开”并写明原因，改正后重新计算、锁定。",
    "核对：随时可按“核对”，检查锁定后是否有人改动了输入，列出改动的表和行。",
    "发布：按“发布”，生成财务导入文件（CSV、xlsx、manifest.json）并记入台账。发布后不能更改，更正放在以后期间的 调整 表。",
    "下一季度：新季度自动带入上季度锁定时的结转数据（大客户欠额/超额、违规记录、等级评审不达标年数）。",
)

# (button, VBA macro, Python entry point, what it does, the same step on the command line)
BUTTONS: tuple[tuple[str, str, str, str, str], ...] = (
    ("校验", "Bonusbook_Validate", "macros.validate()", "检查所有输入，把问题写入 校验结果 表，不改动其他内容", "bonusbook validate 工作簿"),
    ("计算", "Bonusbook_Calculate", "macros.calculate()", "校验通过后计算，写出 计算明细、发放表、校验结果", "bonusbook calculate 工作簿"),
    ("锁定", "Bonusbook_Lock", "macros.lock()", "询问审批人姓名，批准并锁定本期，写入 状态 表和台账", "bonusbook lock 工作簿 --by 姓名"),
    ("重新打开", "Bonusbook_Reopen", "macros.reopen()", "询问姓名和原因，解除锁定（仅限发布前）", "bonusbook reopen 工作簿 --by 姓名 --reason 原因"),
    ("核对", "Bonusbook_Verify", "macros.verify()", "检查锁定后输入是否被改动，列出改动的表和行", "bonusbook verify 工作簿"),
    ("发布", "Bonusbook_Publish", "macros.publish()", "生成财务导入文件并记入台账；同样内容重复发布不会产生新文件", "bonusbook publish 工作簿"),
    ("导入", "Bonusbook_Import", "macros.import_files()", "选择收回的部门模板，逐个检查后导入", "bonusbook import 工作簿 文件..."),
)
BUTTONS_NOTE = ("按钮需要 xlwings 加载项并把工作簿另存为 .xlsm（步骤见 README 的 Windows / macOS 部分）。"
                "没有加载项时，同样的操作可以用命令行完成，结果完全相同。")

# (function, what it returns, example). Kept in step with ``udfs`` by a test.
UDFS: tuple[tuple[str, str, str, str], ...] = (
    ("BB_TIER", "表名或档位区域, 数值, [档位区域]", "按档位表查出的取值", "=BB_TIER(\"sa_award\", D2:D200)"),
    ("BB_NC_AWARD", "首单金额, [档位区域], [参数区域]", "新客户开发奖励（按首单金额查档）", "=BB_NC_AWARD(F2:F200)"),
    ("BB_MT_AWARD", "本年销售额, 上年销售额, [档位区域]", "客户维护奖励 = 比例 × 增长额；上年为 0 时显示原因", "=BB_MT_AWARD(B2:B50, C2:C50)"),
    ("BB_SA_AWARD", "满意度, [档位区域]", "客户满意度奖励（只取最高一档）", "=BB_SA_AWARD(C2:C200)"),
    ("BB_KPI_SCORE", "工号, 权重, 类型, 目标值, 实际值, 评分, [参数区域]", "KPI 加权得分 S；每行显示其所属员工的 S", "=BB_KPI_SCORE(A2:A200, D2:D200, E2:E200, F2:F200, G2:G200, H2:H200)"),
    ("BB_KPI_COEF", "工号, 权重, 类型, 目标值, 实际值, 评分, [参数区域], [档位区域]", "KPI 系数 k（默认 S / 100）", "=BB_KPI_COEF(A2:A200, D2:D200, E2:E200, F2:F200, G2:G200, H2:H200)"),
    ("BB_KC_PAY", "台次, 渠道台次, CSS得分, [档位区域], [参数区域]", "关键客户台次绩效（每行一个月）", "=BB_KC_PAY(C2:C100, D2:D100, E2:E100)"),
    ("BB_KA_SERIES", "季度目标, 计入任务收入, 实施收入, [全部固定比例收入], [KPI系数], [新员工首季], [参数区域]", "大客户各季度提成（每行一个季度，依次结转欠额与超额）", "=BB_KA_SERIES(B2:B5, C2:C5, D2:D5)"),
    ("BB_GRADE_CHECK", "等级, 评审材料（含表头）, [参数区域]", "等级评审：符合，或 不符合 及未达到的条件", "=BB_GRADE_CHECK(\"中级\", tblGradeReview[#All])"),
)
UDFS_NOTE = ("单元格函数只能在 Windows 桌面版 Excel 中使用（xlwings 的限制），需先在 xlwings 加载项中“Import Functions”。"
             "每个函数都可以传入整列、一次算出整列结果（比逐格调用快得多）。默认使用制度默认参数；"
             "传入本工作簿的 档位表/政策参数 区域（如 tblTiers[#Data]、tblPolicy[#Data]）时改用该区域的值。"
             "输入有误时单元格显示中文原因，而不是报错。函数结果只是试算，发放以“计算”生成的 计算明细 为准（两者使用同一套计算）。")

# Meaning of each dropdown code (the engine stores the code).
CHOICES: tuple[tuple[str, str], ...] = (
    ("client_lost", "因个人原因流失客户（程度填 important 重要 / general 一般）"),
    ("complaint", "客户投诉（程度填 minor 轻微 / serious 严重）"),
    ("violation", "违反客户开发规定（程度留空；12 个月内第二次起扣款）"),
    ("software / secondary_dev / implementation / maintenance / training", "收入类型：软件 / 二次开发（按毛利） / 实施 / 维护 / 培训"),
    ("shortfall / excess", "期初余额类型：未完成基数的欠额 / 转入下季的超额"),
    ("quantitative / qualitative", "KPI 类型：定量（按实际/目标计分）/ 定性（直接填评分 0–120）"),
    ("Y / N", "是 / 否（也可以填 是/否、TRUE/FALSE）"),
)


# ------------------------------------------------------------------- layout
def text_width(text: str) -> int:
    """Display width in Excel column units: CJK and full-width characters count double."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def wrapped_lines(text: str, width: int) -> int:
    """Wrapped lines of ``text`` in a column ``width`` units wide (CJK ~1.8 units, Latin ~0.9)."""
    import math

    units = sum(1.8 if w == 2 else 0.9 for w in map(text_width, text))
    return max(1, math.ceil(units / (width - 1)))


def instruction_sheet(ws) -> None:
    """Lay the words above out on ``ws`` (renamed 说明), protected, links to each sheet."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    from .schema import INPUT_BY_KEY

    fills = {k: PatternFill("solid", fgColor=c) for k, c in
             (("input", "FFF2CC"), ("example", "F8CBAD"), ("output", "DDEBF7"), ("section", "D9D9D9"), ("head", "EDEDED"))}
    wrap = Alignment(wrap_text=True, vertical="top")
    ws.title = "说明"
    widths = (28, 62, 36, 40)
    for letter, width in zip("ABCD", widths):
        ws.column_dimensions[letter].width = width
    row = 1

    def put(*values, style: str = "", bold: bool = False) -> None:
        nonlocal row
        lines = 1
        for j, v in enumerate(values, start=1):
            c = ws.cell(row=row, column=j, value=v)
            c.data_type = "s"  # examples such as =BB_TIER(...) are text, never formulas
            c.alignment = wrap
            lines = max(lines, sum(wrapped_lines(part, widths[j - 1]) for part in str(v).split("\n")))
            if style:
                c.fill = fills[style]
            if bold or style in ("section", "head"):
                c.font = Font(bold=True, size=12 if style == "section" else 11)
        if lines > 1:  # neither Excel nor LibreOffice grows a row for wrapped text on open
            ws.row_dimensions[row].height = 15 * lines + 2
        if style == "section":
            for j in range(len(values) + 1, 5):
                ws.cell(row=row, column=j).fill = fills["section"]
        row += 1

    ws.cell(row=1, column=1, value=TITLE).font = Font(bold=True, size=16)
    row = 2
    put("", SUBTITLE)
    row += 1
    put("一、颜色与格式", style="section")
    samples = {"input": "输入", "example": "示例值", "output": "输出表头"}
    for kind, text in LEGEND:
        put(samples.get(kind, ""), text)
        if kind in samples:
            ws.cell(row=row - 1, column=1).fill = fills[kind]
    row += 1
    put("二、谁填什么", style="section")
    put("工作表", "内容", "谁填写", "何时", style="head")
    for key, (who, what, when) in OWNERS.items():
        title = INPUT_BY_KEY[key].header[:31]
        put(title, what, who, when)
        cell = ws.cell(row=row - 1, column=1)
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{title}'!A1", display=title)
        cell.font = Font(color="0563C1", underline="single")
    row += 1
    put("三、一个季度的流程", style="section")
    for i, step in enumerate(STEPS, start=1):
        put(f"第 {i} 步", step)
    row += 1
    put("四、按钮（宏）", style="section")
    put("按钮", "作用", "宏（VBA → Python）", "命令行（结果相同）", style="head")
    for button, vba, py, what, cli in BUTTONS:
        put(button, what, f"{vba} → {py}", cli)
    put("", BUTTONS_NOTE)
    row += 1
    put("五、单元格函数（UDF）", style="section")
    put("函数", "结果", "示例", style="head")
    for name, args, what, example in UDFS:
        put(name, f"{name}({args})\n{what}", example)
    put("", UDFS_NOTE)
    row += 1
    put("六、下拉选项的含义", style="section")
    for code, meaning in CHOICES:
        put(code, meaning)
    ws.sheet_view.showGridLines = False
    ws.print_options.gridLines = False
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.protection.sheet = True
