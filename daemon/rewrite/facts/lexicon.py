"""The word lists behind negations, sides of the body and medication names."""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Negation

FORWARD_CUES = _words(
    "no not denies denied deny denying without never neither cannot absence lacks"
    " dont doesnt didnt isnt wasnt arent werent cant wont hasnt havent hadnt"
)
EITHER_WAY_CUES = _words("negative neg absent none")
# Words that end a negation's reach once it has taken a word.
TERMINATORS = _words(
    "but however although though except yet whereas while which who whose that because since"
    " as after before when until unless apart aside with reports reported report complains"
    " complained endorses endorsed states stated notes noted has have had is are was were"
    " presents presented admits admitted describes remains continues started starts takes"
    " took appears shows feels felt developed develops in on at over under near within into"
    " around throughout during to for taking using starting stopped stopping given"
    " giving receiving received scheduled plan planned will would should may might can could"
    " need needs needed"
)
# Words a negation passes over without taking them as its object. Some are also
# terminators: they stop a negation looking ahead, but one looking back
# ("pulses are absent") passes over them.
FILLERS = _words(
    "a an the any of or and nor to for in on at by from his her their its my your our he she"
    " they it i we you patient pt known history hx evidence sign signs symptom symptoms"
    " complaint complaints further significant obvious apparent acute new recent current"
    " currently prior previous other associated similar such clear clinical have has had"
    " having be been being is are was were do does did report reports reported complain"
    " complains complained endorse endorses endorsed experience experiences experienced"
    " experiencing feel feels feeling felt show shows showed demonstrate demonstrates appear"
    " appears seem seems take takes taking took use uses using longer more also again ever"
    " seen identified found present there this these those very much all just only both"
    " either one"
)
# Words that never name the thing negated or the part on a side.
NOT_OBJECTS = FILLERS | TERMINATORS | {"without"}

# Laterality

SIDES = {"left": "left", "right": "right", "bilateral": "bilateral", "bilaterally": "bilateral"}
SIDE_SKIP = _words("- sided side sides")
# "left the hospital", "right away": the verb and the adverb, not a side.
LEFT_NOT_SIDE_NEXT = _words(
    "the a an his her their its my our your home work school against early without after before"
    " at for in on to with by from ama hospital message voicemail alone behind it them him me us"
)
RIGHT_NOT_SIDE_NEXT = _words("away now then after before here there when as")
LEFT_NOT_SIDE_PREV = _words("he she they i we you who patient pt nothing anything")
RIGHT_NOT_SIDE_PREV = _words("all that's that not just exactly is was")
# "be right back", "came right over": the adverb even before a body part.
RIGHT_ADVERB_PREV = _words("be come came comes coming go goes going went get gets got call called")
BODY_PARTS = _words(
    "arm leg knee hip shoulder elbow wrist hand foot feet ankle eye ear lung kidney breast chest"
    " flank groin thigh calf shin toe finger thumb upper lower side sided heel buttock temple"
    " cheek jaw neck back ovary testicle limb extremity pupil tonsil"
)

# Medications

DRUGS = _words(
    # generic names the suffix rules below miss
    "aspirin acetaminophen naproxen warfarin insulin levothyroxine bumetanide spironolactone"
    " eplerenone cephalexin nitrofurantoin trimethoprim gabapentin pregabalin sertraline"
    " venlafaxine bupropion lithium morphine codeine tramadol fentanyl buprenorphine naloxone"
    " naltrexone metoclopramide clopidogrel ticagrelor prasugrel digoxin amiodarone diltiazem"
    " verapamil hydralazine nitroglycerin isosorbide allopurinol colchicine methotrexate"
    " finasteride salbutamol cetirizine loratadine diphenhydramine hydroxyzine glipizide"
    " glimepiride gliclazide glyburide pioglitazone levetiracetam phenytoin valproate"
    " lamotrigine topiramate zolpidem melatonin ketamine propofol ketorolac celecoxib meloxicam"
    " oxybutynin donepezil memantine levodopa carbidopa alteplase tenecteplase tranexamic"
    " ivermectin tacrolimus cyclosporine mycophenolate hydroxychloroquine epinephrine adrenaline"
    " norepinephrine noradrenaline dobutamine vasopressin atropine baclofen cyclobenzaprine"
    " tizanidine methocarbamol estradiol progesterone testosterone tamoxifen letrozole"
    " anastrozole"
    # common brand names
    " tylenol advil motrin aleve lipitor crestor zocor lasix coumadin eliquis xarelto pradaxa"
    " plavix brilinta zoloft prozac lexapro celexa paxil wellbutrin cymbalta effexor seroquel"
    " zyprexa abilify risperdal xanax ativan valium klonopin ambien norco vicodin percocet"
    " oxycontin dilaudid toradol narcan ozempic wegovy mounjaro trulicity victoza jardiance"
    " farxiga januvia lantus levemir humalog novolog glucophage synthroid norvasc zestril cozaar"
    " toprol lopressor ventolin proair symbicort advair spiriva singulair keppra dilantin"
    " depakote lamictal topamax neurontin lyrica zofran reglan benadryl protonix nexium prilosec"
    " pepcid flomax proscar viagra cialis augmentin zithromax cipro levaquin keflex bactrim"
    " macrobid tamiflu flagyl diflucan"
)
DRUG_SUFFIXES = (
    *("olol", "alol", "ilol", "pril", "sartan", "statin", "mab", "cillin", "mycin", "micin"),
    *("azole", "formin", "dipine", "apine", "azepine", "adone", "idone", "odone", "azepam"),
    *("zolam", "lopram", "triptan", "tinib", "gliptin", "gliflozin", "glutide", "parin"),
    *("xaban", "gatran", "oxacin", "cycline", "oxetine", "pramine", "triptyline"),
    *("afil", "lukast", "semide", "thiazide", "dronate", "caine", "olone", "isone", "asone"),
    *("terol", "profen", "fenac", "tidine", "setron", "osin", "barbital", "sonide", "tropium"),
    *("peridol", "etamol", "vir", "morphone"),
)
NOT_DRUGS = _words("cholesterol rapine")
