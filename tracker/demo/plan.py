"""The demo plan of seed 003: its key measures, responsibility list and weeks of ledger history."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from tracker.demo.bureau import UNITS
from tracker.extensions import db
from tracker.models import Plan, Task, Unit, User
from tracker.services import audit, ledger, ledger_drafts, plans

PLAN_TITLE = "{year}年教育系统“转作风、强素质、建体系、严奖惩”深化机关作风整顿实施方案"
PLAN_SUFFIX = "深化机关作风整顿实施方案"
PLAN_DOC_NUMBER = "区教发〔{year}〕8号"
OFFICE_UNIT = "dzb"

# (key, heading, title): the key measures 重点措施 of seed 003, in its order.
MEASURES = [
    ("sige", "strengthen_quality", "深入开展“四个意识”专题教育"),
    ("jianghua", "strengthen_quality", "深入开展习近平总书记系列重要讲话专题学习"),
    ("nengli", "strengthen_quality", "深入实施干部能力素质提升工程"),
    ("yzx", "change_conduct", "对标定位“一招鲜”"),
    ("gaige", "change_conduct", "以深化教育改革为抓手，提升教育社会满意度"),
    ("zeren", "build_system", "构建工作责任体系"),
    ("genzong", "build_system", "重大工程跟踪问效"),
    ("pingyi", "build_system", "开展部门作风评议"),
    ("jixiao", "strict_rewards", "推行目标绩效管理"),
    ("wenze", "strict_rewards", "强化问责追责"),
]

# The history of a task, in date order. Offsets are days from today (negative: past).
#   ("report", offset, percent, narrative)  a ledger entry 交账 (brought in by the office)
#   ("accept", offset)                      兑账: the office verifies the completion claim;
#                                           later steps of a recurring task apply to the
#                                           next occurrence it creates
#   ("return", offset, reason)              the office returns the claim with a reason
# The statuses as of today are noted after each task; every status and light occurs.
SIGE_MILESTONES = [(-49, 25, "第一专题：增强政治意识"), (-28, 50, "第二专题：增强大局意识"),
                   (-7, 75, "第三专题：增强核心意识"), (21, 100, "第四专题：增强看齐意识")]
SPECIAL_MILESTONES = [(-14, 30, "制定考核细则并公布"), (14, 70, "完成量化考核、排队"),
                      (30, 100, "通报结果、追责问效")]
PLAN_TASKS: list[dict] = [
    # 强素质 ---------------------------------------------------------------------
    dict(measure="sige", unit="djb", title="机关各股室“四个意识”4个专题集中学习研讨",
         standard="围绕政治意识、大局意识、核心意识、看齐意识分4个专题集中学习研讨，每个专题不少于半天；"
                  "每名干部撰写心得体会，每个专题形成研讨记录并报送局党政办公室",
         starts=-63, due=21, weight=2, milestones=SIGE_MILESTONES, history=[
             ("report", -49, 25, "第一专题集中学习研讨完成，23名干部参加，收到心得体会23篇"),
             ("report", -42, 30, "整理第一专题研讨记录，制定第二专题学习计划"),
             ("report", -28, 50, "第二专题学习研讨完成，邀请区委党校教师辅导一次"),
             ("report", -21, 55, "第二专题心得体会汇编成册"),
             ("report", -14, 62, "第三专题学习材料已下发各股室"),
             ("report", -7, 75, "第三专题集中研讨完成，各股室负责人作交流发言"),
             ("report", -2, 78, "第四专题学习方案已审定，正在准备辅导材料"),
         ]),  # on track, green
    dict(measure="sige", unit="yz", title="中学“四个意识”4个专题学习研讨",
         standard="各中学党支部按4个专题组织教职工集中学习研讨，每个专题有方案、有记录、有心得；"
                  "专题结束后形成学习总结报局党建办",
         starts=-63, due=21, weight=1, milestones=SIGE_MILESTONES, history=[
             ("report", -49, 25, "第一专题学习研讨完成，全体党员教师参加"),
             ("report", -35, 40, "第二专题因期中考试推迟，已完成集中学习，研讨尚未组织"),
             ("report", -21, 50, "第二专题研讨完成"),
             ("report", -5, 55, "第三专题学习材料已印发，研讨安排在下周"),
         ]),  # lagging (planned 75, actual 55), yellow
    dict(measure="sige", unit="cgxx", title="小学和幼儿园“四个意识”4个专题学习研讨",
         standard="各小学、幼儿园党支部按4个专题组织学习研讨，结合师德师风建设开展讨论；"
                  "每个专题报送活动照片、签到表和研讨记录",
         starts=-56, due=28, weight=1,
         milestones=[(-42, 25, "第一专题"), (-21, 50, "第二专题"), (7, 75, "第三专题"),
                     (28, 100, "第四专题")],
         history=[
             ("report", -42, 25, "第一专题学习研讨完成，报送签到表和研讨记录"),
             ("report", -28, 40, "第二专题集中学习完成"),
             ("report", -20, 50, "第二专题研讨完成，汇总心得体会46篇"),
             ("report", -12, 50, "第三专题方案制定中"),
         ]),  # stale (last report 12 days ago), yellow
    dict(measure="sige", unit="djb", title="局党委和基层党支部召开“四个意识”专题会，列出问题清单深入整改",
         standard="局党委和各基层党支部各召开1次专题会，查找“四个意识”方面存在的问题，"
                  "形成问题清单和整改台账，整改措施逐条明确责任人和时限",
         starts=-56, due=-21, weight=2, history=[
             ("report", -49, 30, "局党委专题会已召开，查找问题12条"),
             ("report", -35, 70, "各基层党支部专题会已召开32个，问题清单汇总中"),
             ("report", -22, 100, "问题清单和整改台账已建立，共梳理问题86条，均已明确责任人和时限"),
             ("accept", -20),
         ]),  # verified
    dict(measure="sige", unit="ddz", title="学习贯彻六中全会和执行准则条例情况日常监督检查、定期讲评通报",
         standard="每两周抽查不少于3个单位的学习记录和整改落实情况，每月讲评一次并在月通报中通报",
         starts=-42, due=42, weight=1, history=[
             ("report", -35, 10, "制定监督检查方案，确定抽查名单"),
             ("report", -28, 20, "抽查城关小学、东风初级中学、区第二幼儿园，发现问题5条"),
             ("report", -21, 30, "第一次讲评会召开"),
             ("report", -14, 35, "抽查区实验中学、和平小学、西郊乡中心幼儿园"),
             ("report", -7, 45, "第二次讲评，问题已反馈各单位"),
             ("report", -3, 50, "抽查3个单位，整改复查完成"),
         ]),  # on track, green
    dict(measure="jianghua", unit="zfg", title="开展“献良策、交答卷”建言献策活动",
         standard="各股室、各学校至少提交1条建言献策，汇总形成建议汇编；"
                  "采纳的建议明确落实单位，并在月通报中公布",
         starts=-49, due=-7, weight=1, history=[
             ("report", -42, 20, "活动通知已下发，开通建言邮箱"),
             ("report", -28, 50, "收到建言献策58条，分类整理中"),
             ("report", -14, 70, "建议汇编初稿完成，正在征求局领导意见"),
             ("report", -9, 80, "汇编修改中，部分学校尚未提交"),
         ]),  # overdue, red
    dict(measure="jianghua", unit="ez", title="将系列重要讲话精神纳入日常学习教育，开展研讨交流",
         standard="每月至少组织1次集中学习和1次研讨交流，教师参学率不低于95%，学习笔记可查",
         starts=-35, due=35, weight=1, history=[
             ("report", -28, 10, "制定全年学习计划"),
             ("report", -14, 30, "组织集中学习1次、研讨交流1次，参学率97%"),
             ("report", -4, 45, "第二次研讨交流完成，评选优秀学习笔记10份"),
         ]),  # on track, green
    dict(measure="nengli", unit="jyzx", title="依托联合编队培训平台开展职业素养和领导干部业务能力培训",
         standard="依托教研中心、进修学校、电教中心联合编队培训平台，全年开展职业素养培训不少于4期、"
                  "领导干部业务能力培训不少于2期，参训率不低于95%，每期有考核",
         starts=-70, due=49, weight=3,
         milestones=[(-42, 30, "完成第一轮职业素养培训"), (-7, 60, "完成领导干部业务能力培训"),
                     (49, 100, "全年培训计划完成并总结")],
         history=[
             ("report", -40, 30, "第一轮职业素养培训2期完成，参训612人"),
             ("report", -20, 45, "领导干部业务能力培训第一期完成"),
             ("report", -6, 62, "领导干部业务能力培训第二期完成，考核合格率100%"),
         ]),  # on track, green
    dict(measure="nengli", unit="jjg", title="组织“星级班主任”评选活动",
         standard="制定评选办法，各学校推荐，评审认定一星至五星班主任，结果公示不少于5个工作日并表彰",
         starts=7, due=49, weight=1,
         milestones=[(21, 40, "各学校推荐上报"), (35, 70, "评审认定"), (49, 100, "公示表彰")],
         history=[]),  # not started, green
    dict(measure="nengli", unit="rsg", title="组织“管理岗位能手”评选活动",
         standard="在机关股室和学校中层以上管理人员中评选“管理岗位能手”20名，评选办法公开，结果公示",
         starts=-28, due=-3, weight=1, history=[
             ("report", -21, 40, "评选办法印发，各单位推荐中"),
             ("report", -10, 80, "推荐人选43名，完成评审打分"),
             ("report", -4, 100, "评选结果已公示5个工作日，无异议，拟表彰20名"),
         ]),  # awaiting verification
    # 转作风 ---------------------------------------------------------------------
    dict(measure="yzx", unit="jjg", title="基础教育股谋划“一招鲜”创新工作不少于3项",
         standard="围绕重点工作谋划创新工作、亮点工作不少于3项，每项有实施方案、有阶段成效、有佐证材料",
         starts=-56, due=-14, weight=2,
         milestones=[(-42, 30, "提交创新工作选题"), (-28, 60, "形成实施方案"),
                     (-14, 100, "3项以上创新工作落地见效")],
         history=[
             ("report", -42, 30, "提交选题：集团化办学、课后服务、作业公示"),
             ("report", -28, 60, "3项实施方案经局务会审定"),
             ("report", -15, 100, "3项创新工作均已实施，附成效材料和照片"),
             ("accept", -12),
         ]),  # verified
    dict(measure="yzx", unit="yz", title="区第一中学谋划“一招鲜”创新工作不少于3项",
         standard="谋划创新工作不少于3项，每项有实施方案、有阶段成效、有佐证材料，成果参加全区公开公示",
         starts=-56, due=14, weight=2,
         milestones=[(-42, 30, "提交创新工作选题"), (-21, 60, "形成实施方案"),
                     (14, 100, "3项以上创新工作落地见效")],
         history=[
             ("report", -40, 30, "提交选题：选课走班、导师制、家校共育平台"),
             ("report", -22, 60, "3项实施方案已审定"),
             ("report", -6, 100, "3项创新工作均已完成"),
             ("return", -4, "佐证材料不全：只提供了2项创新工作的实施成效，"
                            "“家校共育平台”缺少运行数据和家长反馈，请补充后再交账"),
             ("report", -1, 80, "正在补充家校共育平台运行数据，已收集家长问卷312份"),
         ]),  # returned once, now on track, green
    dict(measure="yzx", unit="sylx", title="实验小学谋划“一招鲜”创新工作不少于3项",
         standard="谋划创新工作不少于3项，每项有实施方案、有阶段成效、有佐证材料，成果参加全区公开公示",
         starts=-56, due=2, weight=2, history=[
             ("report", -49, 20, "确定选题：阅读工程、劳动教育基地、课后托管"),
             ("report", -35, 40, "实施方案完成"),
             ("report", -21, 60, "阅读工程、课后托管已实施"),
             ("report", -7, 80, "劳动教育基地挂牌"),
             ("report", -1, 90, "整理成效材料，准备交账"),
         ]),  # on track but due within 3 days, yellow
    dict(measure="yzx", unit="dzb", title="“一招鲜”成果公开公示",
         standard="汇总各单位“一招鲜”成果，在局网站和微信公众号公开公示不少于7天，接受群众评价",
         starts=14, due=56, weight=1, history=[]),  # not started, green
    dict(measure="gaige", unit="jjg", title="冰雪运动进校园：普及冰雪运动和冬奥知识",
         standard="各级各类学校开展冬奥知识普及，城区学校开设冰雪运动课程；"
                  "举办全区中小学冰雪运动会1次，参与学生覆盖率不低于80%",
         starts=-42, due=42, weight=2,
         milestones=[(-28, 20, "制定冰雪运动进校园方案"), (-14, 40, "城区学校开设冰雪运动课程"),
                     (14, 70, "举办全区中小学冰雪运动会"), (42, 100, "总结验收")],
         history=[
             ("report", -28, 20, "实施方案已印发"),
             ("report", -18, 30, "8所城区学校开课，冬奥知识进课堂"),
         ]),  # stale, yellow
    dict(measure="gaige", unit="jcg", title="有效实施教育扶贫，各项扶贫政策向农村学校倾斜",
         standard="资助资金按时足额发放到位，农村学校薄弱环节改善项目开工率100%，"
                  "建档立卡贫困家庭学生零辍学",
         starts=-70, due=28, weight=3, history=[
             ("report", -63, 5, "摸底建档立卡学生名单"),
             ("report", -49, 15, "春季资助资金发放完成"),
             ("report", -35, 25, "改善项目招标中"),
             ("report", -21, 30, "2个改善项目开工"),
             ("report", -6, 35, "其余项目因资金未到位尚未开工，已报区财政局"),
         ]),  # lagging, yellow
    dict(measure="gaige", unit="yz", title="高中教育以联合办学为突破口，持续提升办学效益",
         standard="与京津学校签订联合办学协议，互派教师交流不少于10人次，开展联合教研不少于4次",
         starts=-49, due=35, weight=2, history=[
             ("report", -42, 10, "与合作学校初步商定联合办学事项"),
             ("report", -28, 30, "联合办学协议签订"),
             ("report", -14, 45, "首批互派教师6人次"),
             ("report", -3, 55, "联合教研2次"),
         ]),  # on track, green
    dict(measure="gaige", unit="zjzx", title="职业教育对接北京市昌平职业学校，优化专业结构",
         standard="与昌平职业学校签订合作协议，调整优化专业不少于2个，打造特色专业1个",
         starts=-35, due=-5, weight=1, history=[
             ("report", -28, 30, "赴昌平职业学校考察对接"),
             ("report", -14, 60, "合作协议文本商定，待双方签字"),
         ]),  # overdue, red
    dict(measure="gaige", unit="xqg", title="紧抓学前教育第三期行动计划，发展公办园和普惠性幼儿园",
         standard="新增普惠性幼儿园不少于3所，认定结果公示；形成以区直园为主导、乡镇园为基础、"
                  "民办园为补充的办园格局",
         starts=3, due=56, weight=2, history=[]),  # not started, green
    # 建体系 ---------------------------------------------------------------------
    dict(measure="zeren", unit="dzb", title="编制责任清单：重点工作分解到职能股室",
         standard="对照年度工作要点，将重点工作分解到股室和学校，逐项定标准、定责任、定时间、定进度，"
                  "经局务会审定后印发",
         starts=-70, due=-56, weight=3, history=[
             ("report", -63, 50, "责任清单初稿完成，征求各股室意见"),
             ("report", -57, 100, "责任清单经局务会审定印发"),
             ("accept", -56),
         ]),  # verified
    dict(measure="zeren", unit="dzb", title="建立工作总台账，严格兑账、定期交账",
         standard="工作总台账覆盖全部重点工作；各责任单位每周至少交账一次并附佐证材料；办公室每月兑账",
         starts=-56, due=56, weight=3,
         milestones=[(-42, 30, "工作总台账上线运行"), (-14, 50, "各单位按周交账"),
                     (56, 100, "全年台账归档")],
         history=[
             ("report", -42, 30, "工作总台账上线，完成各单位账号开通和培训"),
             ("report", -28, 40, "首月交账率91%"),
             ("report", -14, 50, "各单位按周交账，交账率98%"),
             ("report", -7, 55, "完成第二次月度兑账"),
             ("report", -1, 58, "督促3个未交账单位补交"),
         ]),  # on track, green
    dict(measure="zeren", unit="ddz", title="周督导：督导重点工作推进情况", recurrence="weekly",
         standard="每周督导不少于3项重点工作，形成督导记录，对进展缓慢的当周反馈责任单位",
         starts=-19, due=-13, weight=1, history=[
             ("report", -16, 50, "督导课后服务、校园安全2项工作"),
             ("report", -14, 100, "本周督导4项工作，督导记录已归档"),
             ("accept", -13),
             ("report", -9, 40, "督导冰雪运动进校园推进情况"),
             ("report", -7, 100, "本周督导3项工作，对2个进展缓慢单位当面反馈"),
             ("accept", -6),
             ("report", -3, 50, "督导教育扶贫项目开工情况"),
             ("report", -1, 100, "本周督导3项工作，督导记录已归档"),
         ]),  # two weeks verified; the current week awaits verification, due soon: yellow
    dict(measure="zeren", unit="dzb", title="月通报：通报重点工作落实情况", recurrence="monthly",
         standard="每月初通报上月各单位交账、兑账和督导情况，对落实不力、进展缓慢的点名通报批评",
         starts=-45, due=-15, weight=1, history=[
             ("report", -30, 50, "汇总本月督导记录"),
             ("report", -16, 100, "月通报已印发，通报批评2个单位"),
             ("accept", -15),
             ("report", -2, 55, "汇总本月周督导记录和交账情况"),
         ]),  # the first month verified; the second month on track, green
    dict(measure="genzong", unit="jjg", title="包校股室“一月一查一反馈”跟踪问效",
         standard="包校股室每月到联系学校检查一次依法行政、依法办学、精神状态、落实效果、社会反映情况，"
                  "当月书面反馈",
         starts=-60, due=30, weight=2, history=[
             ("report", -56, 10, "制定跟踪问效检查表"),
             ("report", -42, 25, "第一轮检查完成，反馈问题17条"),
             ("report", -28, 40, "第二轮检查完成"),
             ("report", -11, 60, "第三轮检查完成，整改复查中"),
         ]),  # stale, yellow
    dict(measure="pingyi", unit="zfg", title="开设作风问题投诉平台，发动师生家长投诉举报",
         standard="开通网站、举报电话和意见箱三个渠道，公布受理范围和办理时限，投诉件5个工作日内答复",
         starts=-63, due=-35, weight=2, history=[
             ("report", -56, 40, "投诉平台网页和举报电话开通"),
             ("report", -42, 80, "意见箱在各学校安装到位"),
             ("report", -36, 100, "三个渠道全部开通，受理范围和时限已公布"),
             ("accept", -34),
         ]),  # verified
    dict(measure="pingyi", unit="ddz", title="组织上半年部门作风评议",
         standard="组织师生家长、基层干部、社会公众对机关和学校精神状态、工作作风、任务落实情况评议排队，"
                  "回收有效评议票不少于1000张，结果公开",
         starts=-14, due=42, weight=2,
         milestones=[(-7, 20, "制定评议方案、印制评议码"), (21, 60, "完成投票"),
                     (42, 100, "公布评议结果")],
         history=[]),  # lagging (no report yet), yellow
    dict(measure="pingyi", unit="ddz", title="作风问题整改通知书下发、跟踪销号",
         standard="对投诉和督导发现的作风问题下发整改通知书，明确整改要求和时限，逐件跟踪到销号",
         starts=-28, due=-2, weight=1, history=[
             ("report", -21, 30, "下发整改通知书6份"),
             ("report", -12, 60, "4份已报告整改情况"),
             ("report", -4, 80, "5份验收销号，1份待整改"),
         ]),  # overdue, red
    # 严奖惩 ---------------------------------------------------------------------
    dict(measure="jixiao", unit="rsg", title="完善机关干部目标绩效考核体系",
         standard="逐单位逐岗逐人明确年度工作任务和责任目标，定量定效定性，考核办法经局务会审定印发",
         starts=-42, due=14, weight=2, history=[
             ("report", -35, 20, "岗位职责梳理完成"),
             ("report", -21, 50, "绩效考核办法初稿征求意见"),
             ("report", -8, 100, "考核办法经局务会审定印发，目标责任书全部签订"),
         ]),  # awaiting verification, green
    dict(measure="jixiao", unit="rsg", title="修订中小学幼儿园年度考核办法，建立“能者上、庸者让”用人机制",
         standard="修订年度考核办法，明确考核结果与评优、任用挂钩的具体条款，经局务会审定印发",
         starts=10, due=49, weight=1, history=[]),  # not started, green
    dict(measure="wenze", unit="jcg", title="问责+清理专项行动：教育扶贫半年专项考核",
         standard="制定量化考核细则，对各单位教育扶贫工作单项考核、量化排队，排名末位的追责问效",
         starts=-30, due=30, weight=1, milestones=SPECIAL_MILESTONES, history=[
             ("report", -14, 30, "考核细则已公布"),
             ("report", -5, 35, "各单位自查材料收齐"),
         ]),  # on track, green
    dict(measure="wenze", unit="jjg", title="问责+清理专项行动：布局调整半年专项考核",
         standard="对布局调整项目推进情况单项考核、量化排队，排名末位的追责问效",
         starts=-30, due=30, weight=1, history=[
             ("report", -20, 10, "启动布局调整专项考核"),
             ("report", -6, 20, "考核细则仍在征求意见"),
         ]),  # lagging, yellow
    dict(measure="wenze", unit="rsg", title="问责+清理专项行动：师德师风半年专项考核",
         standard="对师德师风建设情况单项考核、量化排队，查实师德违规的一票否决，排名末位的追责问效",
         starts=-30, due=30, weight=2, milestones=SPECIAL_MILESTONES, history=[
             ("report", -14, 30, "考核细则已公布，设立师德师风举报电话"),
             ("report", -9, 32, "收到各单位自查报告21份"),
         ]),  # stale, yellow
    dict(measure="wenze", unit="djb", title="问责+清理专项行动：基层党建半年专项考核",
         standard="对基层党组织建设情况单项考核、量化排队，排名末位的对支部书记约谈问责",
         starts=5, due=40, weight=1, history=[]),  # not started, green
]


def plan_is_loaded() -> bool:
    return db.session.scalar(
        select(Plan.id).join(Unit, Plan.issuing_unit_id == Unit.id)
        .where(Plan.title.endswith(PLAN_SUFFIX), Unit.name == _unit_name(OFFICE_UNIT))
        .limit(1)) is not None


def _unit_name(code: str) -> str:
    return next(name for c, name, *_rest in UNITS if c == code)


def load_plan(actor: audit.Actor, today: date) -> Plan | None:
    """Add the plan of seed 003 with its responsibility list and weeks of ledger history.

    Dates are relative to ``today`` (the actor's date in the bureau's time zone),
    so that as of today every status and every light occurs. Return None, changing
    nothing, when the plan is already there or the demo bureau is missing.
    """
    if plan_is_loaded():
        return None
    codes = {OFFICE_UNIT} | {task["unit"] for task in PLAN_TASKS}
    units = {code: db.session.scalar(select(Unit).where(Unit.name == _unit_name(code)))
             for code in codes}
    office_user = db.session.scalar(select(User).where(User.username == "office"))
    if office_user is None or any(unit is None for unit in units.values()):
        return None
    office = audit.Actor(office_user, actor.ip, actor.now)

    def day(offset: int) -> date:
        return today + timedelta(days=offset)

    plan = plans.create_plan(actor, plans.PlanInput(
        title=PLAN_TITLE.format(year=today.year), year=today.year,
        doc_number=PLAN_DOC_NUMBER.format(year=today.year), issuing_unit_id=units[OFFICE_UNIT].id))
    measures = {}
    for position, (key, heading, title) in enumerate(MEASURES):
        measures[key] = plans.create_measure(actor, plan, heading=heading, title=title,
                                             position=position)
    tasks = []
    for spec in PLAN_TASKS:
        unit = units[spec["unit"]]
        tasks.append(plans.create_task(actor, plans.TaskInput(
            measure_id=measures[spec["measure"]].id, title=spec["title"],
            standard=spec["standard"], owner_unit_id=unit.id, owner_user_id=unit.head_user_id,
            leader_user_id=unit.leader_user_id, starts_on=day(spec["starts"]),
            due_on=day(spec["due"]), weight=spec["weight"],
            recurrence=spec.get("recurrence", "none"), category="作风整顿",
            milestones=[plans.MilestoneInput(on=day(on), percent=percent, title=title)
                        for on, percent, title in spec.get("milestones", [])])))
    plans.set_plan_status(actor, plan, "active")
    folder = current_app.config["UPLOAD_FOLDER"]
    for task, spec in zip(tasks, PLAN_TASKS, strict=True):
        for step in spec["history"]:
            if step[0] == "report":
                _kind, offset, percent, narrative = step
                ledger.add_entry(office, task, percent=percent, narrative=narrative,
                                 reported_on=day(offset), upload_folder=folder, may_backdate=True)
            elif step[0] == "accept":
                ledger.verify(office, task, accept=True, on=day(step[1]))
                if task.recurrence != "none":  # the rest of the history is the next occurrence's
                    task = db.session.scalar(select(Task).where(Task.previous_id == task.id))
            else:
                ledger.verify(office, task, accept=False, reason=step[2], on=day(step[1]))
    load_drafts(actor, tasks)
    return plan


# A unit member's drafts: (member, task index among the unit's open tasks, percent, narrative,
# the head's comment when returned)
DRAFTS = [
    ("cgxx.staff", 0, 60, "第三专题学习研讨完成，附签到表和研讨记录", None),
    ("jjg.staff", 0, 80, "专项检查已覆盖全部学校，问题清单正在汇总", None),
    ("jjg.staff", 1, 100, "已全部完成", "佐证材料不全：请附上各校的整改台账和检查记录后再提交"),
]


def load_drafts(actor: audit.Actor, tasks: list[Task]) -> None:
    """Members' drafts: waiting for their unit head, and one the head returned with a comment."""
    for username, index, percent, narrative, comment in DRAFTS:
        member = db.session.scalar(select(User).where(User.username == username))
        if member is None:
            continue
        open_tasks = [t for t in tasks if t.owner_unit_id == member.unit_id and t.verified_on is None]
        if len(open_tasks) <= index:
            continue
        draft = ledger_drafts.create(audit.Actor(member, actor.ip, actor.now), open_tasks[index],
                                     percent=percent, narrative=narrative,
                                     upload_folder=current_app.config["UPLOAD_FOLDER"])
        if comment:
            head = db.session.get(User, member.unit.head_user_id)
            ledger_drafts.return_draft(audit.Actor(head, actor.ip, actor.now), draft, comment=comment)
