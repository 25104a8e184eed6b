"""The control words MathJax 3 knows with Anki's TeX packages (without the
backslash), letters only: a maths span using any other is reported as undefined.

Generated from MathJax itself: pytest tests/test_mathjax.py --update-goldens
"""

_NAMES = """
    Aboxed And ArrowBetweenLines Arrowvert Bbb Bbbk Big Bigg Biggl Biggm Biggr Bigl Bigm
    Bigr Box Bra Braket Bumpeq Cap Colonapprox Coloneq Coloneqq Colonsim Cup
    DeclareMathOperator DeclarePairedDelimiter DeclarePairedDelimiterX
    DeclarePairedDelimiterXPP DeclarePairedDelimiters DeclarePairedDelimitersX
    DeclarePairedDelimitersXPP Delta Diamond Doteq Downarrow Eqcolon Eqqcolon Finv Game
    Gamma Huge Im Join Ket Ketbra LARGE LaTeX Lambda Large Leftarrow Leftrightarrow
    Lleftarrow Longleftarrow Longleftrightarrow Longrightarrow Lsh MTFlushSpaceAbove
    MTFlushSpaceBelow MTThinColon MoveEqLeft Newextarrow Omega Phi Pi Pr Psi Re
    Rightarrow Rrightarrow Rsh Rule S Set Sigma Space Subset Supset TeX Theta Tiny
    Uparrow Updownarrow Upsilon Vdash Vert Vvdash Xi above abovewithdelims acute
    adjustlimits aleph alpha amalg angle approx approxeq arccos arcsin arctan arg array
    arrowvert ast asymp atop atopwithdelims backepsilon backprime backsim backsimeq
    backslash bar barwedge bbFont bbox bcancel because begin beta beth between bf big
    bigcap bigcirc bigcup bigg biggl biggm biggr bigl bigm bigodot bigoplus bigotimes
    bigr bigsqcup bigstar bigtimes bigtriangledown bigtriangleup biguplus bigvee
    bigwedge binom blacklozenge blacksquare blacktriangle blacktriangledown
    blacktriangleleft blacktriangleright bmod boldsymbol bot bowtie boxdot boxed
    boxminus boxplus boxtimes bra brace bracevert brack braket breve buildrel bullet
    bumpeq cal cancel cancelto cap cases cdot cdotp cdots ce centercolon centerdot cfrac
    check checkmark chi choose circ circeq circlearrowleft circlearrowright circledR
    circledS circledast circledcirc circleddash clap class clubsuit colon colonapprox
    coloneq coloneqq colonsim color colorbox complement cong coprod cos cosh cot coth cr
    cramped crampedclap crampedllap crampedrlap crampedsubstack csc cssId cup
    curlyeqprec curlyeqsucc curlyvee curlywedge curvearrowleft curvearrowright dagger
    daleth dashleftarrow dashrightarrow dashv dbinom dblcolon ddagger ddddot dddot ddot
    ddots def definecolor deg delta det dfrac diagdown diagup diamond diamondsuit
    digamma dim displaylines displaystyle div divideontimes divsymbol dot doteq doteqdot
    dotplus dots dotsb dotsc dotsi dotsm dotso doublebarwedge doublecap doublecup
    downarrow downdownarrows downharpoonleft downharpoonright ell emptyset enclose end
    enspace epsilon eqalign eqalignno eqcirc eqcolon eqqcolon eqref eqsim eqslantgtr
    eqslantless equiv eta eth exists exp fallingdotseq fbox fcolorbox flat forall frac
    frak framebox frown gamma gcd ge genfrac geq geqq geqslant gets gg ggg gggtr gimel
    gnapprox gneq gneqq gnsim grave gt gtrapprox gtrdot gtreqless gtreqqless gtrless
    gtrsim gvertneqq hat hbar hbox hdashline heartsuit hfil hfill hfilll hline hom
    hookleftarrow hookrightarrow hphantom href hskip hslash hspace huge idotsint iff
    iiiint iiint iint imath impliedby implies in inf infty injlim int intercal intop
    iota it jmath kappa ker kern ket ketbra lVert label lambda land langle large lbrace
    lbrack lceil ldotp ldots le leadsto left leftarrow leftarrowtail leftharpoondown
    leftharpoonup leftleftarrows leftrightarrow leftrightarrows leftrightharpoons
    leftrightsquigarrow leftroot leftthreetimes leq leqalignno leqq leqslant lessapprox
    lessdot lesseqgtr lesseqqgtr lessgtr lesssim let lfloor lg lgroup lhd lim liminf
    limits limsup ll llap llcorner lll llless lmoustache ln lnapprox lneq lneqq lnot
    lnsim log longLeftrightharpoons longRightleftharpoons longleftarrow
    longleftrightarrow longleftrightarrows longmapsto longrightarrow
    longrightleftharpoons looparrowleft looparrowright lor lower lozenge lparen lrcorner
    lt ltimes lvert lvertneqq maltese mapsto mathbb mathbf mathbfcal mathbffrak mathbfit
    mathbfscr mathbfsf mathbfsfit mathbfsfup mathbfup mathbin mathcal mathchoice
    mathclap mathclose mathfrak mathinner mathit mathllap mathmakebox mathmbox
    mathnormal mathop mathopen mathord mathpunct mathrel mathring mathrlap mathrm
    mathscr mathsf mathsfit mathsfup mathstrut mathtip mathtoolsset mathtt mathup matrix
    max mbox measuredangle mho mid middle min mit mkern mmlToken mod models moveleft
    moveright mp mskip mspace mu multimap nLeftarrow nLeftrightarrow nRightarrow nVDash
    nVdash nabla natural ncong ndownarrow ne nearrow neg negmedspace negthickspace
    negthinspace neq newcommand newenvironment newline newtagform nexists ngeq ngeqq
    ngeqslant ngtr ni nleftarrow nleftrightarrow nleq nleqq nleqslant nless nmid
    nobreakspace nolimits nonscript nonumber normalsize not notChar notag notin
    nparallel nprec npreceq nrightarrow nshortmid nshortparallel nsim nsubseteq
    nsubseteqq nsucc nsucceq nsupseteq nsupseteqq ntriangleleft ntrianglelefteq
    ntriangleright ntrianglerighteq nu nuparrow nvDash nvdash nwarrow odot oint oldstyle
    omega omicron ominus operatorname oplus ordinarycolon oslash otimes over overbrace
    overbracket overleftarrow overleftrightarrow overline overparen overrightarrow
    overset overunderset overwithdelims owns parallel partial perp phantom phi pi
    pitchfork pm pmatrix pmb pmod pod prec precapprox preccurlyeq preceq precnapprox
    precneqq precnsim precsim prescript prime prod projlim propto psi pu qquad quad
    rVert raise rangle rbrace rbrack rceil ref refeq renewcommand renewenvironment
    renewtagform require restriction rfloor rgroup rhd rho right rightarrow
    rightarrowtail rightharpoondown rightharpoonup rightleftarrows rightleftharpoons
    rightrightarrows rightsquigarrow rightthreetimes risingdotseq rlap rm rmoustache
    root rparen rtimes rule rvert scr scriptscriptstyle scriptsize scriptstyle searrow
    sec set setminus sf sharp shortmid shortparallel shortvdotswithin shoveleft
    shoveright sideset sigma sim simeq sin sinh skew small smallfrown smallint
    smallsetminus smallsmile smash smile space spadesuit sphericalangle splitdfrac
    splitfrac sqcap sqcup sqrt sqsubset sqsubseteq sqsupset sqsupseteq square stackbin
    stackrel star strut style subset subseteq subseteqq subsetneq subsetneqq substack
    succ succapprox succcurlyeq succeq succnapprox succneqq succnsim succsim sum sup
    supset supseteq supseteqq supsetneq supsetneqq surd swarrow symbb symbf symbfcal
    symbffrak symbfit symbfscr symbfsf symbfsfit symbfsfup symbfup symcal symfrak symit
    symnormal symrm symscr symsf symsfit symsfup symtt symup tag tan tanh tau tbinom
    text textbf textclap textcolor textit textllap textnormal textrlap textrm textsf
    textstyle texttip texttt textup tfrac therefore theta thickapprox thicksim thinspace
    tilde times tiny to toggle top triangle triangledown triangleleft trianglelefteq
    triangleq triangleright trianglerighteq tripledash tt twoheadleftarrow
    twoheadrightarrow ulcorner underbrace underbracket underleftarrow
    underleftrightarrow underline underparen underrightarrow underset unicode unlhd
    unrhd uparrow updownarrow upharpoonleft upharpoonright uplus uproot upsilon
    upuparrows urcorner usetagform vDash varDelta varGamma varLambda varOmega varPhi
    varPi varPsi varSigma varTheta varUpsilon varXi varepsilon varinjlim varkappa
    varliminf varlimsup varnothing varphi varpi varprojlim varpropto varrho varsigma
    varsubsetneq varsubsetneqq varsupsetneq varsupsetneqq vartheta vartriangle
    vartriangleleft vartriangleright vcenter vdash vdots vdotswithin vec vee veebar verb
    vert vphantom wedge widehat widetilde wp wr xLeftarrow xLeftrightarrow
    xLeftrightharpoons xRightarrow xRightleftharpoons xcancel xhookleftarrow
    xhookrightarrow xi xleftarrow xleftharpoondown xleftharpoonup xleftrightarrow
    xleftrightharpoons xlongequal xmapsto xmathstrut xrightarrow xrightharpoondown
    xrightharpoonup xrightleftharpoons xtofrom xtwoheadleftarrow xtwoheadrightarrow yen
    zeta
"""
MATHJAX_COMMANDS = frozenset(_NAMES.split())
